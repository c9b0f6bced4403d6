"""Every reply text the server sends a client: error replies, fixed or with parameters.

Texts are Redis 7.0's byte for byte; handlers import them from here and never spell a reply inline.
"""

from __future__ import annotations

from collections.abc import Iterable

ACL_GENPASS_BITS = (
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number "
    "up to 4096"
)
AOF_NOT_ENABLED = "ERR Append only file is not enabled on this server; set appendonly yes first"
ZINTERCARD_NO_KEYS = "ERR at least 1 input key is needed for 'zintercard' command"
BAD_DATA_FORMAT = "ERR Bad data format"
BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_TTL = "ERR Invalid TTL value, must be >= 0"
BGSAVE_IN_PROGRESS = "ERR Background save already in progress"
BGSAVE_OTHER_CHILD = (
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order"
    " to schedule a BGSAVE whenever possible."
)
BITFIELD_OVERFLOW = "ERR Invalid OVERFLOW type specified"
BITFIELD_RO_ONLY_GET = "ERR BITFIELD_RO only supports the GET subcommand"
BITFIELD_TYPE = (
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
)
BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key."
BIT_ARG = "ERR The bit argument must be 1 or 0."
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
BUSYKEY = "BUSYKEY Target key name already exists."
SORT_BY_DENIED = "ERR BY option of SORT denied due to insufficient ACL permissions."
CHANNELS_DENIED = "NOPERM this user has no permissions to access one of the channels used as arguments"
CLIENT_ID_POSITIVE = "ERR client-id should be greater than 0"
CLIENT_NAME_CHARS = "ERR Client names cannot contain spaces, newlines or special characters."
COUNT_POSITIVE = "ERR count should be greater than 0"
COUNT_AT_LEAST_MINUS_ONE = "ERR count should be greater than or equal to -1"
DB_RANGE = "ERR DB index is out of range"
DECR_OVERFLOW = "ERR decrement would overflow"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
SORT_GET_DENIED = "ERR GET option of SORT denied due to insufficient ACL permissions."
GT_AND_LT = "ERR GT and LT options at the same time are not compatible"
GT_LT_AND_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
INCR_OVERFLOW = "ERR increment or decrement would overflow"
INCR_NAN = "ERR increment would produce NaN or Infinity"
ZADD_INCR_PAIR = "ERR INCR option supports a single increment-element pair"
INDEX_OUT_OF_RANGE = "ERR index out of range"
GETKEYS_BAD_ARGS = "ERR Invalid arguments specified for command"
INVALID_CLIENT_ID = "ERR Invalid client ID"
GETKEYS_NO_COMMAND = "ERR Invalid command specified"
INVALID_CURSOR = "ERR invalid cursor"
GETKEYS_ARITY = "ERR Invalid number of arguments specified for command"
KEYS_DENIED = "NOPERM this user has no permissions to access one of the keys used as arguments"
LCS_BOTH = "ERR If you want both the length and indexes, please just use IDX."
LCS_TYPES = "ERR The specified keys must contain string values"
LIMIT_NEGATIVE = "ERR LIMIT can't be negative"
MIGRATE_CONNECT = "IOERR error or timeout connecting to the client"
MIGRATE_KEYS_ARG = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
MISCONF = (
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."
    " Commands that may modify the data set are disabled, because this instance is configured to "
    "report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
    "Please check the Redis logs for details about the RDB error."
)
MULTI_NESTED = "ERR MULTI calls can not be nested"
NAN_SCORE = "ERR resulting score is not a number (NaN)"
NOAUTH = "NOAUTH Authentication required."
HELLO_NOAUTH = (
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
    "<user> <pass> option can be used to authenticate the client and select the RESP protocol version"
    " at the same time"
)
NOPROTO = "NOPROTO unsupported protocol version"
NOT_DOUBLE = "ERR One or more scores can't be converted into double"
NOT_FLOAT = "ERR value is not a valid float"
NOT_INTEGER = "ERR value is not an integer or out of range"
NO_DEFAULT_PASSWORD = (
    "ERR AUTH <password> called without any password configured for the default user. Are you sure "
    "your configuration is correct?"
)
NO_SHUTDOWN = "ERR No shutdown in progress."
NO_SUCH_CLIENT = "ERR No such client"
NO_SUCH_KEY = "ERR no such key"
NUMKEYS = "ERR numkeys should be greater than 0"
NX_AND_XX_GT_LT = "ERR NX and XX, GT or LT options at the same time are not compatible"
OFFSET_RANGE = "ERR offset is out of range"
POSITIVE = "ERR value is out of range, must be positive"
PROTOVER_NOT_INTEGER = "ERR Protocol version is not an integer or out of range"
RANGE_NOT_FLOAT = "ERR min or max is not a float"
RANGE_NOT_LEX = "ERR min or max not valid string range item"
REWRITE_IN_PROGRESS = "ERR Background append only file rewriting already in progress"
SAME_OBJECT = "ERR source and destination objects are the same"
SAVE_FAILED = "ERR"  # Redis's shared.err: the reason is in the log
SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs."
SSUBSCRIBE_DENY_BLOCKING = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
SYNTAX = "ERR syntax error"
ZRANGE_LIMIT_SYNTAX = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
ZRANGE_WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
GETKEYS_NO_KEYS = "ERR The command has no key arguments"
ACL_DELUSER_DEFAULT = "ERR The 'default' user cannot be removed"
NO_CONFIG_FILE = "ERR The server is running without a config file"
NO_ACL_FILE = (
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via "
    "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration"
    " file set) in order to store users in the Redis configuration."
)
TIMEOUT_NEGATIVE = "ERR timeout is negative"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args"
UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
USERNAME_CHARS = "ERR Usernames can't contain spaces or null characters"
VALUE_NAN = "ERR value is NaN or Infinity"
VALUE_RANGE = "ERR value is out of range"
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
CONFIG_SET_ARITY = "ERR wrong number of arguments for 'config|set' command"
PING_ARITY = "ERR wrong number of arguments for 'ping' command"
XX_AND_NX = "ERR XX and NX options at the same time are not compatible"


COMMAND_NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction"
AOF_INCR_OPEN_FAILED = "ERR Can't open new incr AOF file"
WEIGHT_NOT_FLOAT = "ERR weight value is not a float"
COUNT_NEGATIVE = "ERR COUNT can't be negative"
MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative"
INVALID_FIRST_DB = "ERR invalid first DB index"
INVALID_SECOND_DB = "ERR invalid second DB index"
RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)
_LONG_MAX = (1 << 63) - 1
RANDOM_COUNT_RANGE = f"ERR value is out of range, value must between {-_LONG_MAX} and {_LONG_MAX}"
_LFU_NOTE = (
    "Please note that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust."
)
LFU_NO_IDLETIME = f"ERR An LFU maxmemory policy is selected, idle time not tracked. {_LFU_NOTE}"
LFU_NOT_SELECTED = f"ERR An LFU maxmemory policy is not selected, access frequency not tracked. {_LFU_NOTE}"


def unknown_command(name: str, shown_args: str) -> str:
    return f"ERR unknown command '{name}', with args beginning with: {shown_args}"


def wrong_arity(name: str) -> str:
    return f"ERR wrong number of arguments for '{name}' command"


def unknown_subcommand(name: str, container: str) -> str:
    return f"ERR unknown subcommand '{name}'. Try {container} HELP."


def unknown_subcommand_or_arity(name: str, container: str) -> str:
    """The reply of a container command's own subcommand parser (ACL, CLIENT, PUBSUB, SLOWLOG ...)."""
    return f"ERR unknown subcommand or wrong number of arguments for '{name}'. Try {container} HELP."


def subscribed_mode(name: str) -> str:
    return (
        f"ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
        "allowed in this context"
    )


def command_denied(shown: str) -> str:
    return f"NOPERM this user has no permissions to run the '{shown}' command"


def protocol_error(detail: str) -> str:
    return "ERR Protocol error: " + detail


def config_set_unknown(shown: str) -> str:
    return f"ERR Unknown option or number of arguments for CONFIG SET - '{shown}'"


def config_set_failed(name: str, reason: str) -> str:
    return f"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"


def config_rewrite_failed(reason: str) -> str:
    return f"ERR Rewriting config file: {reason}"


def no_samples(event: str) -> str:
    return f"ERR No samples available for event '{event}'"


def migrate_io(stage: str) -> str:
    return f"IOERR error or timeout {stage} to target instance"


def migrate_target_error(text: str) -> str:
    return "ERR Target instance replied with error: " + text


def hello_syntax(option: str) -> str:
    return f"ERR Syntax error in HELLO option '{option}'"


def unknown_client_type(name: str) -> str:
    return f"ERR Unknown client type '{name}'"


def no_such_user(name: str) -> str:
    return f"ERR No such user '{name}'"


def at_least_one_key(name: str) -> str:
    return f"ERR at least 1 input key is needed for '{name}' command"


def invalid_expire_time(name: str) -> str:
    return f"ERR invalid expire time in '{name}' command"


def unsupported_option(option: str) -> str:
    return f"ERR Unsupported option {option}"


def acl_setuser_error(rule: str, reason: str) -> str:
    return f"ERR Error in ACL SETUSER modifier '{rule}': {reason}"


def acl_unknown_category(name: str) -> str:
    return f"ERR Unknown category '{name}'"


def acl_user_not_found(name: str) -> str:
    return f"ERR User '{name}' not found"


def acl_command_not_found(name: str) -> str:
    return f"ERR Command '{name}' not found"


def acl_save_failed(reason: str) -> str:
    return (
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        f"information: {reason}"
    )


def acl_load_open_failed(path: str, reason: str) -> str:
    return f"ERR Error loading ACLs, opening file '{path}': {reason}"


def acl_line_without_user(path: str, number: int) -> str:
    return f"ERR /{path}:{number}: should start with user keyword"


def acl_line_error(path: str, number: int, reason: str) -> str:
    return f"ERR {path}:{number}: {reason}. "


# Why ACL SETUSER refused a rule: the text after "ERR Error in ACL SETUSER modifier '<rule>': ".
ACL_REASON_UNKNOWN = "Unknown command or category name in ACL"
ACL_REASON_SYNTAX = "Syntax error"
ACL_REASON_AFTER_ALLKEYS = (
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
    "effect. Try 'resetkeys' to start with an empty list of patterns"
)
ACL_REASON_AFTER_ALLCHANNELS = (
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any "
    "effect. Try 'resetchannels' to start with an empty list of channels"
)
ACL_REASON_NO_SUCH_PASS = "The password you are trying to remove from the user does not exist"
ACL_REASON_BAD_HASH = (
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
)
ACL_REASON_DUPLICATE_USER = "Duplicate user found. A user can only be defined once in config files"

# Why CONFIG SET refused a value: the `reason` of config_set_failed.
CONFIG_REASON_NOT_MEMORY = "argument must be a memory value"
CONFIG_REASON_NOT_INTEGER = "argument couldn't be parsed into an integer"
CONFIG_REASON_NOT_BOOL = "argument must be 'yes' or 'no'"
CONFIG_REASON_BAD_SAVE = "Invalid save parameters"
CONFIG_REASON_TOO_MANY_BINDS = "Too many bind addresses specified."


def config_out_of_bounds(low: object, high: object) -> str:
    return f"argument must be between {low} and {high} inclusive"


def config_not_a_choice(choices: Iterable[str]) -> str:
    return "argument(s) must be one of the following: " + ", ".join(choices)

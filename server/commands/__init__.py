"""The command families the server serves: each module declares its handlers with @command."""

from server.commands import (
    bitmaps,
    connection,
    generic,
    hashes,
    keys,
    lists,
    server,
    sets,
    sort,
    strings,
    transactions,
    zsets,
)

FAMILIES = (
    connection, server, transactions, keys, strings, hashes, sets, lists, zsets,
    bitmaps, generic, sort,
)  # fmt: skip

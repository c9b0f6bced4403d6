"""The command families the server serves: each module declares its handlers with @command."""

from server.commands import (
    acls,
    connection,
    diagnostics,
    hashes,
    keys,
    lists,
    objects,
    pubsub,
    server,
    sets,
    strings,
    transactions,
    zsets,
)

FAMILIES = (
    connection, server, transactions, keys, strings, hashes, sets, lists, zsets, pubsub, objects, acls,
    diagnostics,
)  # fmt: skip

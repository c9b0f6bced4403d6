"""The command families the server serves: each module declares its handlers with @command."""

from server.commands import (
    acls,
    bitmaps,
    connection,
    diagnostics,
    dumps,
    generic,
    hashes,
    keys,
    lists,
    objects,
    pubsub,
    server,
    sets,
    sort,
    strings,
    transactions,
    zsets,
)

FAMILIES = (
    connection, server, transactions, keys, strings, hashes, sets, lists, zsets, pubsub, objects, acls,
    diagnostics, bitmaps, generic, sort, dumps,
)  # fmt: skip

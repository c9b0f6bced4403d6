"""Byte-level mutations for the fuzz suites: each (kind, where, byte) edits one place of a valid input."""

from __future__ import annotations

from hypothesis import strategies as st

# One edit: (kind, where, byte), for mutate(); the parser fuzzers draw lists of these.
MUTATION = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "truncate", "duplicate"]),
    st.integers(0, 10**6),
    st.sampled_from([b"*", b"$", b"\r", b"\n", b"-", b"0", b"9", b"x", b" ", b'"', b"\x00", b"\xff"]),
)


def mutate(data: bytes, mutations: list[tuple[str, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for kind, where, byte in mutations:
        at = where % (len(buf) + 1)
        if kind == "replace" and at < len(buf):
            buf[at : at + 1] = byte
        elif kind == "insert":
            buf[at:at] = byte
        elif kind == "delete":
            del buf[at : at + 1]
        elif kind == "truncate":
            del buf[at:]
        elif kind == "duplicate":
            buf[at:at] = buf[at : at + 1 + where % 7]
    return bytes(buf)

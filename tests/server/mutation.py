"""Byte-level mutations for the fuzz suites: each (kind, where, byte) edits one place of a valid input."""

from __future__ import annotations


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

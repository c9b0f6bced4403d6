"""TLS record framing read in Python from reassembled TCP bytes: record sizes, content types, client random.

This is all a passive observer needs from the bulk of a TLS stream, so tshark only has to dissect the
handshake (or, with a key log, the sessions it can decrypt).
"""

from __future__ import annotations

HANDSHAKE, APPLICATION_DATA, ALERT = 22, 23, 21
_CLIENT_HELLO = 1


class RecordScanner:
    """Feed in-order bytes of one direction; `records` yields (content type, length) as headers complete."""

    def __init__(self) -> None:
        self._buf = b""
        self._skip = 0  # body bytes of the current record still to pass over
        self.client_random: str | None = None
        self.app_data_seen = False
        self.broken = False  # bytes that are not TLS record framing (stream is not, or no longer, TLS)

    def feed(self, data: bytes) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        if self.broken:
            return out
        if self._skip >= len(data):
            self._skip -= len(data)
            return out
        buf = self._buf + data[self._skip :]
        self._skip = 0
        pos = 0
        while len(buf) - pos >= 5:
            ctype, major, length = buf[pos], buf[pos + 1], int.from_bytes(buf[pos + 3 : pos + 5], "big")
            if major != 3 or not 20 <= ctype <= 24:
                self.broken = True
                return out
            out.append((ctype, length))
            if ctype == APPLICATION_DATA:
                self.app_data_seen = True
            elif (
                ctype == HANDSHAKE
                and self.client_random is None
                and len(buf) - pos >= 43
                and (buf[pos + 5] == _CLIENT_HELLO)
            ):
                self.client_random = buf[pos + 11 : pos + 43].hex()
            end = pos + 5 + length
            if end > len(buf):
                self._skip = end - len(buf)
                pos = len(buf)
                break
            pos = end
        self._buf = buf[pos:]
        return out

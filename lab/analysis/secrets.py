"""Where given secrets cross the wire in clear: every frame that carries any byte of an occurrence.

Streams are scanned as they are read (no file is held in memory): each direction keeps only the last
len(secret) - 1 bytes, so a secret split across two TCP segments is still found, and both frames reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from lab.analysis.model import SecretExposure


def mask(secret: bytes) -> str:
    """A label that identifies a secret in a report without repeating it."""
    text = secret.decode("utf-8", "backslashreplace")
    return text[:2] + "*" * max(len(text) - 2, 1) if len(text) > 3 else "*" * len(text)


class _Scanner:
    def __init__(self, longest: int) -> None:
        self.tail = b""
        self.base = 0  # stream offset of tail[0]
        self.chunks: deque[tuple[int, int]] = deque()  # (end offset, frame) of bytes in tail
        self.keep = max(longest - 1, 0)


class SecretFinder:
    def __init__(self, secrets: Sequence[bytes]) -> None:
        self.secrets = [s for s in dict.fromkeys(secrets) if s]
        self._longest = max((len(s) for s in self.secrets), default=0)
        self._scanners: dict[tuple[int, str, bool], _Scanner] = {}
        self._frames: dict[tuple[bytes, bool], set[int]] = {}
        self._streams: dict[bytes, set[int]] = {}

    def feed(self, stream: int, direction: str, data: bytes, frame: int, decrypted: bool = False) -> None:
        """In-order bytes of one direction; `decrypted` marks bytes only a key-log holder sees."""
        if not self.secrets or not data:
            return
        key = (stream, direction, decrypted)
        sc = self._scanners.get(key)
        if sc is None:
            sc = self._scanners[key] = _Scanner(self._longest)
        window = sc.tail + data
        sc.chunks.append((sc.base + len(window), frame))
        for secret in self.secrets:
            at = window.find(secret)
            while at >= 0:
                # Occurrences wholly inside the old tail were reported when it was scanned.
                if at + len(secret) > len(sc.tail):
                    frames = self._frames.setdefault((secret, decrypted), set())
                    start, end = sc.base + at, sc.base + at + len(secret)
                    frames.update(f for f in _frames_between(sc.chunks, start, end))
                    if not decrypted:
                        self._streams.setdefault(secret, set()).add(stream)
                at = window.find(secret, at + 1)
        cut = max(len(window) - sc.keep, 0)
        sc.tail, sc.base = window[cut:], sc.base + cut
        while sc.chunks and sc.chunks[0][0] <= sc.base:
            sc.chunks.popleft()

    def exposures(self) -> tuple[SecretExposure, ...]:
        return tuple(
            SecretExposure(
                label=mask(s),
                frames=tuple(sorted(self._frames.get((s, False), ()))),
                streams=tuple(sorted(self._streams.get(s, ()))),
                decrypted_frames=tuple(sorted(self._frames.get((s, True), ()))),
            )
            for s in self.secrets
        )


def _frames_between(chunks: deque[tuple[int, int]], start: int, end: int) -> list[int]:
    out, prev_end = [], None
    for chunk_end, frame in chunks:
        chunk_start = prev_end if prev_end is not None else -1
        prev_end = chunk_end
        if chunk_end > start and chunk_start < end:
            out.append(frame)
    return out

"""Where given secrets cross the wire in clear: every frame that carries any byte of an occurrence.

Streams are scanned as they are read (no file is held in memory): each direction keeps only the last
len(secret) - 1 bytes, so a secret split across two TCP segments is still found, and both frames reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from lab.analysis.model import Excerpt, SecretExposure

EXCERPT_CONTEXT = 40  # bytes shown either side of a secret
EXCERPTS_KEPT = 6  # per secret and view (clear / decrypted)


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
        self._excerpts: dict[tuple[bytes, bool], list[Excerpt]] = {}

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
                    hit = _frames_between(sc.chunks, start, end)
                    frames.update(hit)
                    kept = self._excerpts.setdefault((secret, decrypted), [])
                    if hit and len(kept) < EXCERPTS_KEPT:
                        kept.append(_excerpt(window, at, secret, hit[0], decrypted))
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
                excerpts=(*self._excerpts.get((s, False), ()), *self._excerpts.get((s, True), ())),
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


def _text(data: bytes) -> str:
    """Bytes as a reader of the frame sees them: printable ASCII as is, the rest escaped (\\r\\n, \\x00)."""
    return data.decode("latin-1").encode("unicode_escape").decode("ascii")


def _excerpt(window: bytes, at: int, secret: bytes, frame: int, decrypted: bool) -> Excerpt:
    # `after` holds only the bytes read so far: a secret at the end of a segment shows what follows it later
    start = max(at - EXCERPT_CONTEXT, 0)
    end = at + len(secret)
    return Excerpt(frame, _text(window[start:at]), mask(secret), _text(window[end : end + EXCERPT_CONTEXT]),
                   decrypted)

"""In-order TCP payload per direction from segments as captured (duplicates, retransmissions, reordering).

Sequence numbers are unwrapped to 64-bit stream offsets and early segments wait in a heap, so a hole in the
capture (a packet the capture dropped) costs O(log n) per segment, not a scan of everything waiting.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

_MOD = 1 << 32
MAX_PENDING = 1024  # early segments held before giving up on a hole in the capture


def _diff(a: int, b: int) -> int:
    """a - b in sequence space (wraps at 2**32)."""
    d = (a - b) % _MOD
    return d - _MOD if d >= _MOD // 2 else d


class Reassembler:
    """Feed (seq, payload, frame); get back in-order (payload, frame) pieces. `gaps` counts holes skipped."""

    def __init__(self) -> None:
        self._next_seq: int | None = None  # next expected sequence number (32-bit)
        self._next = 0  # the same as an unwrapped stream offset
        self._pending: list[tuple[int, int, bytes]] = []  # heap of (offset, frame, payload)
        self.gaps = 0

    def syn(self, seq: int) -> None:
        if self._next_seq is None:
            self._next_seq = (seq + 1) % _MOD

    def push(self, seq: int, payload: bytes, frame: int) -> Iterator[tuple[bytes, int]]:
        if self._next_seq is None:
            self._next_seq = seq  # capture started mid-connection: the first segment seen is the start
        offset = self._next + _diff(seq, self._next_seq)
        if offset > self._next:
            heapq.heappush(self._pending, (offset, frame, payload))
            if len(self._pending) > MAX_PENDING:
                yield from self._skip_hole()
            return
        yield from self._deliver(offset, payload, frame)
        yield from self._drain()

    def _deliver(self, offset: int, payload: bytes, frame: int) -> Iterator[tuple[bytes, int]]:
        behind = self._next - offset
        if behind < len(payload):  # otherwise a retransmission of bytes already delivered
            yield payload[behind:], frame
            self._advance(len(payload) - behind)

    def _advance(self, n: int) -> None:
        assert self._next_seq is not None
        self._next += n
        self._next_seq = (self._next_seq + n) % _MOD

    def _drain(self) -> Iterator[tuple[bytes, int]]:
        while self._pending and self._pending[0][0] <= self._next:
            offset, frame, payload = heapq.heappop(self._pending)
            yield from self._deliver(offset, payload, frame)

    def _skip_hole(self) -> Iterator[tuple[bytes, int]]:
        self._advance(self._pending[0][0] - self._next)
        self.gaps += 1
        yield from self._drain()

    def finish(self) -> Iterator[tuple[bytes, int]]:
        """End of capture: deliver what is left after any holes (each hole counted in `gaps`)."""
        while self._pending:
            yield from self._skip_hole()

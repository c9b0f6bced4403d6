"""In-order TCP payload per direction from segments as captured (duplicates, retransmissions, reordering)."""

from __future__ import annotations

from collections.abc import Iterator

_MOD = 1 << 32
MAX_PENDING = 2048  # out-of-order segments held before giving up on a hole in the capture


def _diff(a: int, b: int) -> int:
    """a - b in sequence space (wraps at 2**32)."""
    d = (a - b) % _MOD
    return d - _MOD if d >= _MOD // 2 else d


class Reassembler:
    """Feed (seq, payload, frame); get back in-order (payload, frame) pieces. `gaps` counts holes skipped."""

    def __init__(self) -> None:
        self._next: int | None = None
        self._pending: dict[int, tuple[bytes, int]] = {}
        self.gaps = 0

    def syn(self, seq: int) -> None:
        if self._next is None:
            self._next = (seq + 1) % _MOD

    def push(self, seq: int, payload: bytes, frame: int) -> Iterator[tuple[bytes, int]]:
        if self._next is None:
            self._next = seq  # capture started mid-connection: take the first segment seen as the start
        ahead = _diff(seq, self._next)
        if ahead > 0:
            self._pending[seq] = (payload, frame)
            if len(self._pending) > MAX_PENDING:
                yield from self._skip_hole()
            return
        if -ahead >= len(payload):
            return  # a retransmission of bytes already delivered
        yield payload[-ahead:], frame
        self._next = (self._next + len(payload) + ahead) % _MOD
        yield from self._drain()

    def _drain(self) -> Iterator[tuple[bytes, int]]:
        while self._pending:
            assert self._next is not None
            ready = [s for s in self._pending if _diff(s, self._next) <= 0]
            if not ready:
                return
            for seq in ready:
                payload, frame = self._pending.pop(seq)
                behind = -_diff(seq, self._next)
                if behind < len(payload):
                    yield payload[behind:], frame
                    self._next = (self._next + len(payload) - behind) % _MOD

    def _skip_hole(self) -> Iterator[tuple[bytes, int]]:
        assert self._next is not None
        nxt = self._next
        self._next = min(self._pending, key=lambda s: _diff(s, nxt))
        self.gaps += 1
        yield from self._drain()

    def finish(self) -> Iterator[tuple[bytes, int]]:
        """End of capture: deliver what is left after any holes (each hole counted in `gaps`)."""
        while self._pending:
            yield from self._skip_hole()

"""Pair the commands a client sends with the replies the server returns, across arbitrary TCP chunking."""

from __future__ import annotations

from collections import deque

from lab.resp_reader import Frame, RespReader, command, show


class Conversation:
    """Both directions of one Redis connection as seen by a proxy; replies are matched to commands FIFO."""

    def __init__(self) -> None:
        # Lenient: a proxy passes on whatever it is given, RESP or not.
        self.client = RespReader("lenient")
        self.server = RespReader("lenient")
        self._awaiting: deque[tuple[str, ...]] = deque()

    def from_client(self, chunk: bytes) -> list[tuple[tuple[str, ...] | None, Frame]]:
        """Complete client frames in this chunk, each with its argv (None if it is not a command)."""
        out = []
        for frame in self.client.feed(chunk):
            args = command(frame.wire)
            argv = None if args is None else tuple(show(a) for a in args)
            self._awaiting.append(argv or ("?",))
            out.append((argv, frame))
        return out

    def from_server(self, chunk: bytes) -> list[tuple[tuple[str, ...] | None, Frame]]:
        """Complete server frames, each with the command it answers (None: RESP3 push or surplus reply)."""
        out: list[tuple[tuple[str, ...] | None, Frame]] = []
        for frame in self.server.feed(chunk):
            is_push = frame.raw.startswith(b">")
            answers = None if is_push or not self._awaiting else self._awaiting.popleft()
            out.append((answers, frame))
        return out

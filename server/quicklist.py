"""The list value: packed chunks between two short unpacked ends, after Redis's quicklist of listpacks.

A Python bytes object costs ~40 bytes of header per element plus an 8-byte pointer; a 1M-element list of
short strings held in a deque took ~3.8x redis-server's memory. Here the middle of the list lives in
immutable chunks: one bytes object with the elements back to back and an array of their end offsets
(~4 bytes of overhead per element). Pushes and pops work on two plain lists at the ends (`_head`
stored reversed, so both ends grow by list.append); an end that reaches 2 x CHUNK elements packs its
inner CHUNK into a chunk, and an empty end unpacks the nearest chunk. So pushes and pops at both ends
stay O(1) amortised; indexing walks chunks from the nearer end (O(N / CHUNK), like Redis's node walk);
a write inside a chunk rebuilds that one chunk (O(CHUNK)).

The interface is the part of collections.deque the list commands use, plus `range` for LRANGE.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain, islice
from typing import Final, cast

CHUNK = 128  # elements per packed chunk
CHUNK_BYTES = 8192  # a chunk holds at most this many bytes of elements (at least one element)


class _Chunk:
    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: array[int]) -> None:
        self.data = data
        self.ends = ends  # ends[i]: offset just past element i in data

    @classmethod
    def pack(cls, items: list[bytes]) -> _Chunk:
        ends = list(accumulate(map(len, items)))
        code = "I" if not ends or ends[-1] < 1 << 32 else "Q"
        return cls(b"".join(items), array(code, ends))

    def __len__(self) -> int:
        return len(self.ends)

    def items(self) -> list[bytes]:
        data = self.data
        return [data[s:e] for s, e in zip(chain((0,), self.ends), self.ends, strict=False)]

    def get(self, i: int) -> bytes:
        ends = self.ends
        return self.data[ends[i - 1] if i else 0 : ends[i]]


def _fit(items: list[bytes], start: int = 0) -> int:
    """How many of items[start:start + CHUNK] make one chunk within CHUNK_BYTES (at least one)."""
    ends = list(accumulate(map(len, items[start : start + CHUNK])))
    return max(1, bisect_right(ends, CHUNK_BYTES))


# Shared by every list without chunks (an empty deque costs ~600 bytes); never mutated: packing swaps
# in a deque of the list's own first.
_NO_CHUNKS: Final = cast("deque[_Chunk]", ())


class QuickList:
    __slots__ = ("_chunks", "_head", "_len", "_odd", "_tail")

    def __init__(self, items: Iterable[bytes] = ()) -> None:
        self._head: list[bytes] = []  # reversed: _head[-1] is the first element
        self._chunks = _NO_CHUNKS  # a deque once the first chunk is packed: small lists stay small
        self._tail: list[bytes] = []
        self._len = 0
        self._odd = 0  # chunks not holding exactly CHUNK elements (when 0, a position maps to its chunk)
        self.extend(items)

    # -- size and comparison ------------------------------------------------------------------

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QuickList):
            return self._len == other._len and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like deque

    def __repr__(self) -> str:
        return f"QuickList({list(self)!r})"

    # -- the two ends -------------------------------------------------------------------------

    def append(self, value: bytes) -> None:
        self._tail.append(value)
        self._len += 1
        if len(self._tail) >= 2 * CHUNK:
            self._pack_tail()

    def appendleft(self, value: bytes) -> None:
        self._head.append(value)
        self._len += 1
        if len(self._head) >= 2 * CHUNK:
            self._pack_head()

    def extend(self, values: Iterable[bytes]) -> None:
        tail = self._tail
        before = len(tail)
        tail.extend(values)
        self._len += len(tail) - before
        if len(tail) >= 2 * CHUNK:
            self._pack_tail()

    def extendleft(self, values: Iterable[bytes]) -> None:
        """Each value pushed on the left in turn (the last one ends up first), as deque.extendleft."""
        head = self._head
        before = len(head)
        head.extend(values)
        self._len += len(head) - before
        if len(head) >= 2 * CHUNK:
            self._pack_head()

    def pop(self) -> bytes:
        if not self._tail:
            self._refill_tail()
        value = self._tail.pop()
        self._len -= 1
        return value

    def popleft(self) -> bytes:
        if not self._head:
            self._refill_head()
        value = self._head.pop()
        self._len -= 1
        return value

    def _pack_tail(self) -> None:
        """Pack the tail's inner elements into chunks until fewer than CHUNK are left unpacked."""
        tail, done = self._tail, 0
        if self._chunks is _NO_CHUNKS:
            self._chunks = deque()
        while len(tail) - done >= CHUNK:
            n = _fit(tail, done)
            self._chunks.append(_Chunk.pack(tail[done : done + n]))
            self._odd += n != CHUNK
            done += n
        del tail[:done]

    def _pack_head(self) -> None:
        head, done = self._head, 0
        if self._chunks is _NO_CHUNKS:
            self._chunks = deque()
        while len(head) - done >= CHUNK:
            n = _fit(head, done)
            self._chunks.appendleft(_Chunk.pack(head[done + n - 1 : None if done == 0 else done - 1 : -1]))
            self._odd += n != CHUNK
            done += n
        del head[:done]

    def _refill_tail(self) -> None:
        if self._chunks:
            self._tail = self._chunks.pop().items()
            self._odd -= len(self._tail) != CHUNK
        elif self._head:  # move the inner half of the head over
            head = self._head
            k = (len(head) + 1) // 2
            self._tail = head[k - 1 :: -1]
            del head[:k]
        else:
            raise IndexError("pop from an empty list")

    def _refill_head(self) -> None:
        if self._chunks:
            self._head = self._chunks.popleft().items()[::-1]
            self._odd -= len(self._head) != CHUNK
        elif self._tail:
            tail = self._tail
            k = (len(tail) + 1) // 2
            self._head = tail[k - 1 :: -1]
            del tail[:k]
        else:
            raise IndexError("pop from an empty list")

    # -- positions ----------------------------------------------------------------------------

    def _index(self, index: int) -> int:
        n = self._len
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("list index out of range")
        return index

    def _locate(self, index: int) -> tuple[int, int]:
        """For a position past the head and before the tail: (chunk number, offset in it), walking
        from the nearer end."""
        index -= len(self._head)
        if not self._odd:
            return divmod(index, CHUNK)
        middle = self._len - len(self._head) - len(self._tail)
        if index < middle // 2:
            for k, chunk in enumerate(self._chunks):
                if index < len(chunk):
                    return k, index
                index -= len(chunk)
        else:
            back = middle - 1 - index  # position counted from the middle's last element
            last = len(self._chunks) - 1
            for k, chunk in enumerate(reversed(self._chunks)):
                if back < len(chunk):
                    return last - k, len(chunk) - 1 - back
                back -= len(chunk)
        raise AssertionError("chunk walk past the middle")

    def _where(self, index: int) -> tuple[int, int]:
        """(-1, i): _head[i]; (-2, i): _tail[i]; (k, i): element i of chunk k."""
        head = len(self._head)
        if index < head:
            return -1, head - 1 - index
        past = index - (self._len - len(self._tail))
        if past >= 0:
            return -2, past
        return self._locate(index)

    def __getitem__(self, index: int) -> bytes:
        part, i = self._where(self._index(index))
        if part == -1:
            return self._head[i]
        if part == -2:
            return self._tail[i]
        return self._chunks[part].get(i)

    def __setitem__(self, index: int, value: bytes) -> None:
        part, i = self._where(self._index(index))
        if part == -1:
            self._head[i] = value
        elif part == -2:
            self._tail[i] = value
        else:
            items = self._chunks[part].items()
            items[i] = value
            self._chunks[part] = _Chunk.pack(items)

    def insert(self, index: int, value: bytes) -> None:
        """Insert before position `index` (clamped to the ends), as deque.insert."""
        if index < 0:
            index = max(0, index + self._len)
        if index == 0:
            self.appendleft(value)
            return
        if index >= self._len:
            self.append(value)
            return
        part, i = self._where(index)
        if part == -1:
            self._head.insert(i + 1, value)  # reversed: before logical `index` is after head[i]
            self._len += 1
            if len(self._head) >= 2 * CHUNK:
                self._pack_head()
        elif part == -2:
            self._tail.insert(i, value)
            self._len += 1
            if len(self._tail) >= 2 * CHUNK:
                self._pack_tail()
        else:
            items = self._chunks[part].items()
            items.insert(i, value)
            self._len += 1
            self._odd -= len(items) - 1 != CHUNK
            if len(items) > CHUNK or sum(map(len, items)) > CHUNK_BYTES:
                half = len(items) // 2
                self._chunks[part] = _Chunk.pack(items[:half])
                self._chunks.insert(part + 1, _Chunk.pack(items[half:]))
                self._odd += (half != CHUNK) + (len(items) - half != CHUNK)
            else:
                self._chunks[part] = _Chunk.pack(items)
                self._odd += len(items) != CHUNK

    def index(self, value: bytes) -> int:
        """The first position of `value`; ValueError when absent. A chunk whose bytes do not contain
        `value` is skipped without unpacking it."""
        pos = 0
        for item in reversed(self._head):
            if item == value:
                return pos
            pos += 1
        for chunk in self._chunks:
            if value in chunk.data:
                items = chunk.items()
                if value in items:
                    return pos + items.index(value)
            pos += len(chunk)
        return pos + self._tail.index(value)

    def trim(self, left: int, right: int) -> None:
        """Drop `left` elements from the front and `right` from the back (LTRIM), whole chunks at a time."""
        if left + right >= self._len:
            self.clear()
            return
        self._len -= left + right
        if left:
            self._drop_front(left)
        if right:
            self._drop_back(right)

    def _drop_front(self, n: int) -> None:
        head = self._head
        if n <= len(head):
            del head[len(head) - n :]  # reversed: the first n elements are at its end
            return
        n -= len(head)
        self._head = []
        chunks = self._chunks
        while chunks and n >= len(chunks[0]):
            n -= len(chunk := chunks.popleft())
            self._odd -= len(chunk) != CHUNK
        if n and chunks:
            items = chunks.popleft().items()
            self._odd -= len(items) != CHUNK
            self._head = items[:n - 1 : -1]
        elif n:
            del self._tail[:n]

    def _drop_back(self, n: int) -> None:
        tail = self._tail
        if n <= len(tail):
            del tail[len(tail) - n :]
            return
        n -= len(tail)
        self._tail = []
        chunks = self._chunks
        while chunks and n >= len(chunks[-1]):
            n -= len(chunk := chunks.pop())
            self._odd -= len(chunk) != CHUNK
        if n and chunks:
            items = chunks.pop().items()
            self._odd -= len(items) != CHUNK
            self._tail = items[: len(items) - n]
        elif n:
            del self._head[:n]  # reversed: the last n elements are at its start

    def clear(self) -> None:
        self._head, self._tail, self._len, self._odd = [], [], 0, 0
        self._chunks = _NO_CHUNKS

    # -- walking ------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[bytes]:
        yield from reversed(self._head)
        for chunk in self._chunks:
            yield from chunk.items()
        yield from self._tail

    def __reversed__(self) -> Iterator[bytes]:
        yield from reversed(self._tail)
        for chunk in reversed(self._chunks):
            yield from reversed(chunk.items())
        yield from self._head

    def range(self, start: int, stop: int) -> list[bytes]:
        """Elements start..stop-1 (0 <= start <= stop <= len), skipping whole chunks on the way."""
        out: list[bytes] = []
        head = self._head
        h = len(head)
        if start < h:
            out += head[h - 1 - start : None if stop >= h else h - 1 - stop : -1]
        pos, chunks = h, iter(self._chunks)  # pos: position of the current part's first element
        if not self._odd and start > h:
            skip = min((start - h) // CHUNK, len(self._chunks))
            pos += skip * CHUNK
            chunks = islice(self._chunks, skip, None)
        for chunk in chunks:
            if pos >= stop:
                break
            n = len(chunk)
            if pos + n > start:
                out += chunk.items()[max(0, start - pos) : stop - pos]
            pos += n
        if stop > pos:
            out += self._tail[max(0, start - pos) : stop - pos]
        return out

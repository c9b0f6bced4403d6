"""The sorted-set value: a member → score dict beside a list sorted by (score, member), as Redis pairs a
dict with a skiplist. Ranks, score ranges and lex ranges are bisections of the sorted list.

No command logic here: server.commands.zsets parses arguments and shapes replies.
"""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList

INF = float("inf")


class ZSet:
    __slots__ = ("order", "scores")

    def __init__(self) -> None:
        self.scores: dict[bytes, float] = {}
        self.order: SortedList = SortedList()

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        return iter(self.order)

    def add(self, member: bytes, score: float) -> bool:
        """Set member's score; True when the member is new."""
        old = self.scores.get(member)
        if old is not None:
            if old == score:
                return False
            self.order.remove((old, member))
            self.scores[member] = score
            self.order.add((score, member))
            return False
        self.scores[member] = score
        self.order.add((score, member))
        return True

    def remove(self, member: bytes) -> bool:
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.order.remove((score, member))
        return True

    def rank(self, member: bytes) -> int | None:
        score = self.scores.get(member)
        if score is None:
            return None
        return int(self.order.index((score, member)))

    def by_rank(self, start: int, stop: int) -> list[tuple[float, bytes]]:
        """Elements of ranks start..stop inclusive (already clamped by the caller)."""
        return list(self.order.islice(start, stop + 1))

    def score_bounds(self, low: float, low_ex: bool, high: float, high_ex: bool) -> tuple[int, int]:
        """The rank range [first, end) of scores within the bounds."""
        order = self.order
        first = order.bisect_right((low, _AFTER_ALL)) if low_ex else order.bisect_left((low, b""))
        end = order.bisect_left((high, b"")) if high_ex else order.bisect_right((high, _AFTER_ALL))
        return first, max(first, end)

    def lex_bounds(self, low: LexBound, high: LexBound) -> tuple[int, int]:
        """The rank range [first, end) of members within lex bounds; meaningful when all scores are equal
        (Redis's precondition for the lex commands), taken from the first element's score."""
        order = self.order
        if not order:
            return 0, 0
        score = order[0][0]
        n = len(order)
        first = _lex_first(order, score, low, n)
        end = _lex_end(order, score, high, n)
        return first, max(first, end)


class _AfterAll(bytes):
    """Sorts after every bytes member (the sentinel for "all members of this score")."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True

    def __le__(self, other: object) -> bool:
        return self is other

    def __ge__(self, other: object) -> bool:
        return True


_AFTER_ALL = _AfterAll()

# A lex bound: (kind, value) with kind "-" (below all), "+" (above all), "[" inclusive, "(" exclusive.
LexBound = tuple[str, bytes]


def _lex_first(order: SortedList, score: float, low: LexBound, n: int) -> int:
    kind, value = low
    if kind == "-":
        return 0
    if kind == "+":
        return n
    return int(order.bisect_right((score, value)) if kind == "(" else order.bisect_left((score, value)))


def _lex_end(order: SortedList, score: float, high: LexBound, n: int) -> int:
    kind, value = high
    if kind == "+":
        return n
    if kind == "-":
        return 0
    return int(order.bisect_left((score, value)) if kind == "(" else order.bisect_right((score, value)))

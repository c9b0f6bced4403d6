"""server.quicklist against a plain Python list: random operations at every position, with chunks small
enough that each operation crosses the head, the packed chunks and the tail many times."""

from __future__ import annotations

import random

import pytest

from server import quicklist
from server.quicklist import QuickList


@pytest.fixture(params=[(4, 1 << 13), (3, 7)], ids=["count-bound", "byte-bound"])
def small_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    count, size = request.param
    monkeypatch.setattr(quicklist, "CHUNK", count)
    monkeypatch.setattr(quicklist, "CHUNK_BYTES", size)


def _check(ql: QuickList, model: list[bytes]) -> None:
    assert len(ql) == len(model)
    assert ql._odd == sum(len(c) != quicklist.CHUNK for c in ql._chunks)
    assert [ql[i] for i in range(len(model))] == model
    assert list(ql) == model
    assert list(reversed(ql)) == model[::-1]
    n = len(model)
    for start in (0, 1, n // 3, n // 2, n - 1):
        for stop in (start, start + 1, start + 7, n):
            if 0 <= start <= stop <= n:
                assert ql.range(start, stop) == model[start:stop], (start, stop)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_a_list(seed: int) -> None:
    rng = random.Random(seed)
    ql, model = QuickList(), []
    counter = 0

    def fresh() -> bytes:
        nonlocal counter
        counter += 1
        return b"v%d" % counter if rng.random() < 0.9 else b"x" * rng.randrange(0, 12)

    for step in range(3000):
        op = rng.randrange(11)
        n = len(model)
        if op == 0:
            values = [fresh() for _ in range(rng.randrange(1, 40))]
            ql.extend(values)
            model.extend(values)
        elif op == 1:
            values = [fresh() for _ in range(rng.randrange(1, 40))]
            ql.extendleft(values)
            model[:0] = values[::-1]
        elif op == 2:
            v = fresh()
            ql.append(v)
            model.append(v)
        elif op == 3:
            v = fresh()
            ql.appendleft(v)
            model.insert(0, v)
        elif op == 4 and n:
            assert ql.pop() == model.pop()
        elif op == 5 and n:
            assert ql.popleft() == model.pop(0)
        elif op == 6 and n:
            i = rng.randrange(-n, n)
            assert ql[i] == model[i]
            v = fresh()
            ql[i] = v
            model[i] = v
        elif op == 7:
            i = rng.randrange(-n - 2, n + 3)
            v = fresh()
            ql.insert(i, v)
            model.insert(i, v)
        elif op == 8 and n:
            target = model[rng.randrange(n)] if rng.random() < 0.8 else b"absent"
            if target in model:
                assert ql.index(target) == model.index(target)
            else:
                with pytest.raises(ValueError):
                    ql.index(target)
        elif op == 9 and rng.random() < 0.3:
            left, right = rng.randrange(0, n + 2), rng.randrange(0, n + 2)
            ql.trim(left, right)
            model = model[left : max(left, n - right)]
        elif op == 9 and rng.random() < 0.05:
            ql.clear()
            model.clear()
        elif op == 10:
            for _ in range(rng.randrange(0, n + 1)):
                if rng.random() < 0.5:
                    assert ql.pop() == model.pop()
                else:
                    assert ql.popleft() == model.pop(0)
        if step % 50 == 0:
            _check(ql, model)
    _check(ql, model)


def test_empty_list_behaves_like_deque() -> None:
    ql = QuickList()
    assert not ql
    with pytest.raises(IndexError):
        ql.pop()
    with pytest.raises(IndexError):
        ql.popleft()
    with pytest.raises(IndexError):
        ql[0]
    with pytest.raises(ValueError):
        ql.index(b"a")
    assert ql.range(0, 0) == []
    assert QuickList([b"a", b"b"]) == QuickList([b"a", b"b"]) != QuickList([b"a"])


def test_a_million_short_elements_are_packed() -> None:
    ql = QuickList(b"e:%d" % i for i in range(1_000_000))
    assert len(ql._head) + len(ql._tail) < 2 * quicklist.CHUNK
    assert ql[500_000] == b"e:500000"
    assert ql.range(999_998, 1_000_000) == [b"e:999998", b"e:999999"]
    assert ql.index(b"e:765432") == 765_432

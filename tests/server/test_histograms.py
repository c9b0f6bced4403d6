"""server.slowlog.CommandHistograms: LATENCY HISTOGRAM's buckets are HdrHistogram's as Redis reports them."""

from __future__ import annotations

from server.slowlog import HISTOGRAM_KEYS, CommandHistograms


def test_labels_are_the_highest_value_of_each_log_level() -> None:
    assert HISTOGRAM_KEYS[:8] == [1, 2, 4, 8, 16, 33, 66, 132]


def test_durations_land_in_the_first_level_that_holds_them() -> None:
    h = CommandHistograms()
    for micros in (0, 1, 2, 3, 16, 17, 33, 34, 10_000):
        h.record("get", micros * 1000 + 999)  # sub-microsecond parts are dropped, as Redis's ustime
    assert h.calls("get") == 9
    assert h.cdf("get") == [(1, 2), (2, 3), (4, 4), (16, 5), (33, 7), (66, 8), (16908, 9)]


def test_a_duration_beyond_the_last_level_counts_as_a_call_only() -> None:
    h = CommandHistograms()
    h.record("debug", 2 * 10**9)
    assert h.calls("debug") == 1 and h.cdf("debug") == []
    h.reset()
    assert h.names() == [] and h.calls("debug") == 0


def test_the_direct_table_agrees_with_the_search_on_both_sides_of_its_end() -> None:
    h = CommandHistograms()
    for micros in range(4096):
        h.record("a", micros * 1000)
    levels = [next(i for i, key in enumerate(HISTOGRAM_KEYS) if m <= key) for m in range(4096)]
    assert h.buckets["a"][: len(HISTOGRAM_KEYS)] == [levels.count(i) for i in range(len(HISTOGRAM_KEYS))]
    assert h.calls("a") == 4096

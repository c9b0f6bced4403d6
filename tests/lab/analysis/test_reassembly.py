"""lab.analysis.reassembly: in-order bytes from duplicated, reordered and missing segments."""

from __future__ import annotations

from lab.analysis.reassembly import MAX_PENDING, Reassembler


def run(segments: list[tuple[int, bytes, int]], syn: int | None = None) -> tuple[bytes, list[int], int]:
    r = Reassembler()
    if syn is not None:
        r.syn(syn)
    out = [piece for seq, data, frame in segments for piece in r.push(seq, data, frame)]
    out += list(r.finish())
    return b"".join(p for p, _ in out), [f for _, f in out], r.gaps


def test_in_order_duplicate_and_overlap() -> None:
    data, frames, gaps = run(
        [(101, b"abc", 1), (101, b"abc", 2), (102, b"bcdef", 3), (107, b"g", 4)], syn=100
    )
    assert data == b"abcdefg" and frames == [1, 3, 4] and gaps == 0


def test_reordered_segments_wait_for_the_hole_to_fill() -> None:
    data, frames, _ = run([(1, b"ab", 1), (5, b"ef", 2), (3, b"cd", 3)])
    assert data == b"abcdef" and frames == [1, 3, 2]


def test_sequence_wraparound() -> None:
    top = (1 << 32) - 2
    data, _, gaps = run([(top, b"ab", 1), (0, b"cd", 2)])
    assert data == b"abcd" and gaps == 0


def test_a_segment_missing_from_the_capture_is_skipped_and_counted() -> None:
    segments = [(1, b"a", 1)] + [(3 + i, b"x", 2 + i) for i in range(MAX_PENDING + 1)]
    data, _, gaps = run(segments)
    assert data == b"a" + b"x" * (MAX_PENDING + 1) and gaps == 1

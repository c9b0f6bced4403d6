"""lab.analysis.secrets: every frame carrying a secret, also when it is split across segments."""

from __future__ import annotations

from lab.analysis.secrets import SecretFinder, mask


def test_split_secret_reports_both_frames_and_no_duplicates() -> None:
    f = SecretFinder([b"hunter2", b"hunter2", b"pw"])
    f.feed(0, "c2s", b"AUTH hun", 4)
    f.feed(0, "c2s", b"ter2 and pw", 5)
    f.feed(1, "s2c", b"nothing here", 9)
    f.feed(2, "c2s", b"pw", 11, decrypted=True)
    hunter, pw = f.exposures()
    assert hunter.frames == (4, 5) and hunter.streams == (0,)
    assert pw.frames == (5,) and pw.decrypted_frames == (11,) and pw.streams == (0,)


def test_directions_are_not_glued_together() -> None:
    f = SecretFinder([b"abcd"])
    f.feed(0, "c2s", b"ab", 1)
    f.feed(0, "s2c", b"cd", 2)
    assert f.exposures()[0].frames == ()


def test_mask_does_not_repeat_the_secret() -> None:
    assert mask(b"s3cret-value") == "s3**********"
    assert "pw" not in mask(b"pw")

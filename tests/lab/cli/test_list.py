"""`tlslab list`: the catalogue with its default set marked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_lists_the_catalogue_in_story_order() -> None:
    tlslab = str(Path(sys.executable).parent / "tlslab")
    done = subprocess.run([tlslab, "list"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("* plaintext-sniff ")
    assert any(line.startswith("* durability-kill9 ") for line in lines)
    tagged = subprocess.run(
        [tlslab, "list", "--tag", "fast-and-safe"], capture_output=True, text=True, timeout=60
    )
    assert "watch-conflict" in tagged.stdout and "plaintext-sniff" not in tagged.stdout

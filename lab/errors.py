"""The one exception that crosses layers on purpose: bad input from the user, with the fix in the text."""

from __future__ import annotations

import os
from pathlib import Path


class UserError(Exception):
    """Bad input or environment. The CLI prints the message as one line and exits non-zero.

    Write the message as: what is wrong, then how to fix it.
    """


def require_input_file(path: Path, what: str, fix: str, missing: str = "") -> None:
    """`path` is a regular file we may read, or UserError "<what> <path> <problem>: <fix>". A folder or a
    FIFO is named as such: a FIFO would block the first read forever. `missing`: the fix when it is absent."""
    if not path.exists():
        raise UserError(f"{what} {path} does not exist: {missing or fix}")
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        raise UserError(f"{what} {path} is {kind}: {fix}")
    if not os.access(path, os.R_OK):
        raise UserError(f"{what} {path} cannot be read (permission denied): check its permissions")

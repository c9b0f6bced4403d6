"""What a capture produced: frozen, JSON-ready via dataclasses.asdict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab.errors import UserError

Method = Literal["dumpcap", "relay"]


@dataclass(frozen=True)
class CaptureResult:
    """One finished capture.

    method "relay" means no packet capture was possible: bytes were recorded at the socket level by a loopback
    relay and written as synthetic TCP packets (timing and segmentation are the relay's, not the wire's).
    """

    path: Path
    method: Method
    packets: int
    ports: tuple[int, ...]
    keylog: Path | None  # NSS key log of the lab's TLS clients beside the pcapng; None if none written
    note: str = ""  # why the relay fallback was used, if it was
    dropped: int = 0  # packets the kernel dropped before dumpcap saw them (holes in the capture)


class CaptureError(UserError):
    """The capture could not start or stop cleanly; the message says what dumpcap said and how to fix it."""

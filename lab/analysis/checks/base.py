"""What every check gets and returns. A check is a module with ID and `check(ctx) -> Sequence[Finding]`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lab.analysis.model import SecretExposure, StreamInfo


@dataclass(frozen=True)
class CheckContext:
    streams: tuple[StreamInfo, ...]
    exposures: tuple[SecretExposure, ...]
    now: dt.datetime  # certificate validity is judged against the time of analysis (is it still usable?)

    @property
    def tls_streams(self) -> tuple[StreamInfo, ...]:
        return tuple(s for s in self.streams if s.transport == "tls")

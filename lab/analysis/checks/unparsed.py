"""Frames the analysis could not read (a certificate with an unknown key type, a mangled handshake).

They are reported so a reader knows where the report is blind; the rest of the analysis stands."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "could-not-parse"


def check(ctx: CheckContext) -> list[Finding]:
    return [
        Finding(
            ID,
            "info",
            f"could not parse frame {problem.frame} of {s.server.host}:{s.server.port}: {problem.what}",
            (problem.frame,),
            "this part of the capture is not analysed; the rest of the report is unaffected",
            "open the frame in Wireshark; report the capture if a valid packet was refused",
            s.stream,
        )
        for s in ctx.streams
        for problem in s.problems
    ]

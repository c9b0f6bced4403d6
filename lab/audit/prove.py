"""A fix is a change that runs: the config findings' fix lines appended to the file (later lines win in
redis.conf), so the result can be started and audited again. Lines that are not redis.conf directives
(a chmod, "build against ...") are returned apart, for the operator to carry out."""

from __future__ import annotations

from collections.abc import Sequence

from lab.audit.model import AuditFinding
from lab.audit.redis70 import DIRECTIVES


def fixed_config(text: str, findings: Sequence[AuditFinding]) -> tuple[str, tuple[str, ...]]:
    """(the config with every fix directive appended once, the fix lines that are actions, not directives)."""
    lines: list[str] = []
    actions: list[str] = []
    for f in findings:
        for line in f.fix:
            word = line.split(" ", 1)[0].lower()
            target = lines if word in DIRECTIVES and "<" not in line else actions
            if line not in target:
                target.append(line)
    body = text if text.endswith("\n") or not text else text + "\n"
    return body + "# fixes proposed by tlslab audit\n" + "\n".join(lines) + "\n", tuple(actions)

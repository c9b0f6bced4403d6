"""CPU time: a server's from /proc/<pid>/stat (user + system seconds of all its threads), and this
process's reaped children's (the clients it ran) from rusage."""

from __future__ import annotations

import os
import resource

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of pid in seconds, or None when the process is gone (a race the caller reports)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    # Field 2 (comm) may contain spaces and parentheses: split after its closing parenthesis.
    fields = raw[raw.rindex(b")") + 2 :].split()
    # After comm, fields are numbered from 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / _TICKS


def children_cpu_seconds() -> float:
    """User + system seconds of every child this process has waited for: the delta around one
    subprocess.run is that child's own CPU."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_bytes(pid: int) -> int | None:
    """Resident set size (VmRSS) of pid in bytes, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def syscall_counts(pid: int) -> tuple[int, int] | None:
    """(read-type, write-type) syscalls pid has made (`syscr`, `syscw` of /proc/<pid>/io), or None when
    the file cannot be read (process gone, or not ours)."""
    try:
        with open(f"/proc/{pid}/io") as fh:
            fields = dict(line.split(": ", 1) for line in fh if ": " in line)
        return int(fields["syscr"]), int(fields["syscw"])
    except (OSError, KeyError, ValueError):
        return None

"""lab.bench.cpu: CPU seconds and RSS of a process from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from lab.bench.cpu import cpu_seconds, rss_bytes


def test_cpu_seconds_grow_while_the_process_computes() -> None:
    before = cpu_seconds(os.getpid())
    assert before is not None
    end = time.process_time() + 0.1
    while time.process_time() < end:
        pass
    after = cpu_seconds(os.getpid())
    assert after is not None and after > before


def test_a_process_name_with_spaces_and_parentheses_is_parsed() -> None:
    # comm is field 2 of /proc/<pid>/stat and may contain ") (": parsing must start after the last ')'.
    child = ("open('/proc/self/comm', 'w').write('a) (b c'); print('ready', flush=True); "
             "import time; time.sleep(5)")
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        with open(f"/proc/{proc.pid}/stat") as fh:
            assert "(a) (b c)" in fh.read()
        assert cpu_seconds(proc.pid) is not None
    finally:
        proc.kill()
        proc.wait()


def test_rss_of_a_live_process_and_none_for_a_gone_one() -> None:
    rss = rss_bytes(os.getpid())
    assert rss is not None and rss > 1_000_000
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert rss_bytes(proc.pid) is None
    assert cpu_seconds(proc.pid) is None

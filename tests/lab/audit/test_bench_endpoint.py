"""`tlslab bench --endpoint`: plaintext vs TLS cells against a server the user already runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.cli import main
from lab.pki import LabPKI
from lab.targets.process import start_target
from lab.targets.spec import TargetSpec
from tests.conftest import require_tool
from tests.lab.audit.conftest import PASSWORD


def test_bench_an_mtls_endpoint_with_a_password(pki: LabPKI, tmp_path: Path) -> None:
    require_tool("redis-benchmark")
    spec = TargetSpec(kind="bundled", plaintext=True, tls=True, tls_auth_clients="yes", requirepass=PASSWORD)
    with start_target(spec, tmp_path / "srv", pki) as t:
        argv = [
            "bench",
            "--quick",
            "--endpoint",
            f"127.0.0.1:{t.port},{t.tls_port}",
            "--ca",
            str(pki.ca_cert),
            "--cert",
            str(pki.client.cert),
            "--key",
            str(pki.client.key),
            "--password",
            PASSWORD,
            "--out",
            str(tmp_path / "out"),
        ]
        assert main(argv) == 0
    data = json.loads((tmp_path / "out" / "endpoint.json").read_text())
    cells = {(c["transport"], c["pipeline"], c["connection"]): c for c in data["cells"]}
    assert len(cells) == 6 and all(c["run"]["error"] is None for c in cells.values())
    assert all(row["rps"] > 0 for c in cells.values() for row in c["run"]["rows"])
    assert "--cert" in cells[("tls1.3", 1, "reuse")]["run"]["argv"]
    assert "TLS / plaintext" in (tmp_path / "out" / "endpoint.md").read_text()


def test_endpoint_elsewhere_is_refused() -> None:
    assert main(["bench", "--endpoint", "192.0.2.7:6379"]) == 2


@pytest.mark.parametrize("bad", ["6379", "127.0.0.1:", "127.0.0.1:x,6380"])
def test_bad_endpoint_text_is_a_clear_error(bad: str) -> None:
    assert main(["bench", "--endpoint", bad]) == 2

"""Typos that used to pass silently are load errors: exit 2, one line naming file, key and choices.

Each case is a real scenario file from scenarios/ with one word misspelt, loaded through `tlslab list`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main
from lab.scenario.loader import scenarios_dir

SCENARIOS = scenarios_dir()


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (SCENARIOS / f"{name}.toml").read_text("utf-8")
    assert old in text, f"{name}.toml no longer holds {old!r}: update the test"
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / f"{name}.toml").write_text(text.replace(old, new, 1), "utf-8")
    return d


def _load_error(directory: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["list", "--scenarios", str(directory)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    return err


def test_misspelt_observation_key_is_a_load_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `key = "conected"` with `is-nil = true` was met: a field nobody reports is always nil
    d = _broken(tmp_path, "mtls-modes", 'kind = "client"',
                'kind = "observation"\nkey = "conected"\nis-nil = true\n[[expect]]\nkind = "client"')
    err = _load_error(d, capsys)
    assert "mtls-modes.toml" in err and ".key" in err and '"conected"' in err
    assert "connected" in err and "refused" in err  # the fields the workload does report


def test_misspelt_finding_check_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `check = "plaintext-rediss"` with `present = false` was met: no check of that id ever fires
    d = _broken(tmp_path, "plaintext-sniff", "[[expect]]", '[[expect]]\nkind = "finding"\n'
                'check = "plaintext-rediss"\npresent = false\n\n[[expect]]')
    err = _load_error(d, capsys)
    assert "plaintext-sniff.toml" in err and "].check" in err and '"plaintext-rediss"' in err
    assert '"plaintext-redis"' in err


def test_misspelt_matrix_attacker_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # loaded, then failed only mid-run, after servers had started
    d = _broken(tmp_path, "mitm-matrix", 'attackers = ["mitm-ca", "rogue-ca",',
                'attackers = ["mitm-ca", "rogue-cca",')
    err = _load_error(d, capsys)
    assert "mitm-matrix.toml" in err and "workload.attackers[1]" in err and '"rogue-cca"' in err
    assert '"rogue-ca"' in err and '"same-ca-other-host"' in err


def test_misspelt_attacker_cert_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = _broken(tmp_path, "mitm-no-verify", 'cert = "mitm-ca"', 'cert = "mitm-caa"')
    err = _load_error(d, capsys)
    assert "mitm-no-verify.toml" in err and "attacker.cert" in err and '"mitm-ca"' in err


def test_attacker_observation_keys_are_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _broken(tmp_path, "mitm-no-verify", "[[expect]]", '[[expect]]\nkind = "observation"\n'
                'key = "attacker.pasword"\nis-nil = true\n\n[[expect]]')
    err = _load_error(d, capsys)
    assert "attacker.pasword" in err and "attacker.passwords" in err


def test_misspelt_command_flag_refuses_to_build_the_command_table() -> None:
    # a `wirte` flag made the command skip the AOF (and replication) without a word
    from types import ModuleType

    from server.commands.registry import build_table, command

    family = ModuleType("server.commands.typo")

    @command("setx", 3, "wirte denyoom", keys=(1, 1, 1))
    def setx(ctx: object, args: list[bytes]) -> None: ...

    family.setx = setx  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match=r"unknown flag\(s\) wirte; known flags: .*write"):
        build_table([family])


def test_every_declared_flag_of_the_bundled_server_is_known() -> None:
    import server.commands as families
    from server.commands.registry import build_table

    assert build_table(families.FAMILIES)  # raises on an unknown flag


def test_the_target_table_is_the_target_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One shape: [target] builds lab.targets.TargetSpec itself; its own checks name the file too."""
    from lab.scenario.loader import load_file
    from lab.targets.spec import TargetSpec

    s = load_file(SCENARIOS / "plaintext-sniff.toml")
    assert type(s.cases[0].target) is TargetSpec and s.cases[0].server_cert == "valid"
    d = _broken(tmp_path, "plaintext-sniff", "tls = false", 'tls = false\ntls-protocols = "SSLv3"')
    err = _load_error(d, capsys)
    assert "plaintext-sniff.toml: target" in err and "tls_protocols 'SSLv3' is not valid" in err
    (tmp_path / "b").mkdir()
    d2 = _broken(tmp_path / "b", "tls-without-certs", 'server-cert = "none"', 'server-cert = "nope"')
    err = _load_error(d2, capsys)
    assert "target.server-cert" in err and '"weak-key"' in err

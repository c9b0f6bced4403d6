"""lab.scenario.expectations: each kind judged on evidence, met and unmet, always with the observed value."""

from __future__ import annotations

import pytest

from lab.scenario.evidence import (
    CaptureEvidence,
    CaseEvidence,
    ClientObservation,
    Exposure,
    FileKind,
    Secret,
    StreamSummary,
)
from lab.scenario.expectations import (
    EXPECTATIONS,
    AtRest,
    ClientOutcome,
    DiskFileCheck,
    Finding,
    Observation,
    SecretInClear,
    SecretWithKeylog,
    ServerLog,
    TargetStart,
    Tls,
    evaluate,
)

CAPTURE = CaptureEvidence(
    pcap="x.pcapng",
    keylog="x.keylog",
    method="dumpcap",
    packets=20,
    streams=(
        StreamSummary(server_port=7001, transport="plaintext"),
        StreamSummary(
            server_port=7002,
            transport="tls",
            tls_version="TLSv1.2",
            cipher="TLS_X",
            sni="localhost",
            server_cert_visible=True,
        ),
    ),
    exposures=(Exposure("password", frames=(4, 9), ports=(7001,), decrypted_frames=(12,)),),
    findings=({"check": "plaintext-redis", "title": "AUTH in clear"},),
)
EV = CaseEvidence(
    case="main",
    target_kind="redis-server",
    ports={"plaintext": 7001, "tls": 7002},
    started=True,
    log_text="1:M Ready\n1:M Error accepting a client connection: wrong version number\n",
    clients=(
        ClientObservation("app", "redis-py", "tls-full", 7002, True),
        ClientObservation("old", "redis-py", "plaintext", 7002, False, "connection-closed", "reset by peer"),
    ),
    observations={
        "lost": 0,
        "acked": 120,
        "exec": None,
        "libs": ["/lib/libssl.so.3"],
        "neg": {"group": "X25519"},
    },
    secrets=(Secret("password", "pw"), Secret("email", "e@x")),
    capture=CAPTURE,
    at_rest=(Exposure("email", files=("appendonly.aof",)),),
)


@pytest.mark.parametrize(
    ("kind", "params", "met"),
    [
        ("client", ClientOutcome("app", connects=True), True),
        ("client", ClientOutcome("old", connects=False, error_matches="reset"), True),
        ("client", ClientOutcome("old", connects=False, error_matches="verify"), False),
        ("client", ClientOutcome("old", connects=True), False),
        ("client", ClientOutcome("ghost", connects=True), False),
        ("server-log", ServerLog("wrong version number"), True),
        ("server-log", ServerLog("wrong version number", present=False), False),
        ("target-start", TargetStart(starts=True), True),
        ("target-start", TargetStart(starts=False), False),
        ("secret-in-clear", SecretInClear("password", in_clear=True), True),
        ("secret-in-clear", SecretInClear("password", in_clear=True, port="tls"), False),
        ("secret-in-clear", SecretInClear("password", in_clear=False, port="tls"), True),
        ("secret-in-clear", SecretInClear("email", in_clear=False), True),
        ("secret-in-clear", SecretInClear("token", in_clear=False), False),  # never declared: cannot judge
        ("secret-with-keylog", SecretWithKeylog("password"), True),
        ("secret-with-keylog", SecretWithKeylog("email"), False),
        ("at-rest", AtRest("email", in_clear=True), True),
        ("at-rest", AtRest("password", in_clear=True), False),
        ("tls", Tls("version", equals="TLSv1.2"), True),
        ("tls", Tls("version", equals="TLSv1.3"), False),
        ("tls", Tls("sni", matches="^local"), True),
        ("tls", Tls("server-cert-visible", visible=True), True),
        ("tls", Tls("version", port="plaintext", equals="TLSv1.2"), False),  # no TLS stream there
        ("observation", Observation("lost", equals=0), True),
        ("observation", Observation("lost", equals=False), False),  # 0 is not false
        ("observation", Observation("acked", at_least=100, at_most=200), True),
        ("observation", Observation("acked", at_least=121), False),
        ("observation", Observation("exec", is_nil=True), True),
        ("observation", Observation("missing", is_nil=True), True),
        ("observation", Observation("missing", equals=1), False),
        ("observation", Observation("libs", matches="libssl"), True),
        ("observation", Observation("neg.group", equals="X25519"), True),
        ("finding", Finding("plaintext-redis"), True),
        ("finding", Finding("plaintext-redis", present=False), False),
        ("disk-file", DiskFileCheck(FileKind.RDB, present=False), True),  # this case's disk list is empty
        ("disk-file", DiskFileCheck(FileKind.AOF), False),
    ],
)
def test_each_kind(kind: str, params: object, met: bool) -> None:
    check = evaluate(kind, params, EV)
    assert check.met is met, check
    assert check.expected


def test_certificate_visibility_is_observed_in_the_words_of_the_expectation() -> None:
    assert evaluate("tls", Tls("server-cert-visible", visible=True), EV).observed == "visible"
    hidden = evaluate("tls", Tls("server-cert-visible", visible=False), EV)
    assert hidden.met is False and hidden.observed == "visible" and "hidden" in hidden.expected


def test_every_registered_kind_is_covered_above() -> None:
    covered = {
        "client",
        "server-log",
        "target-start",
        "secret-in-clear",
        "secret-with-keylog",
        "at-rest",
        "disk-file",
        "tls",
        "observation",
        "finding",
    }
    assert set(EXPECTATIONS) == covered


def test_observed_values_are_reported() -> None:
    assert evaluate("secret-in-clear", SecretInClear("password", True), EV).observed == {
        "frames": [4, 9],
        "ports": [7001],
    }
    assert (
        evaluate("client", ClientOutcome("old", True), EV).observed
        == "refused: connection-closed: reset by peer"
    )
    assert evaluate("observation", Observation("acked", equals=1), EV).observed == 120
    refused = CaseEvidence(case="main", target_kind="bundled", start_error="No tls-cert-file configured!")
    check = evaluate("target-start", TargetStart(starts=False, error_matches="tls-cert-file"), refused)
    assert check.met and check.observed == "refused: No tls-cert-file configured!"
    assert not evaluate("secret-in-clear", SecretInClear("password", True), refused).met  # no capture


def test_a_client_row_names_its_client() -> None:
    # two rows "connects" in one case told the reader nothing about who connected
    assert evaluate("client", ClientOutcome("app", connects=True), EV).expected == "app connects"
    refused = evaluate("client", ClientOutcome("old", connects=False, error_matches="reset"), EV)
    assert refused.expected == "old refused (/reset/)"

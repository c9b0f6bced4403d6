"""lab.clients.model: specs refuse what cannot work, outcomes serialise to JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.clients import ClientOutcome, ClientSpec, ErrorKind, ErrorReply, Posture
from lab.errors import UserError
from lab.pki import LabPKI


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"library": "jedis"}, "unknown client library 'jedis'"),
        ({"posture": "tls-maybe"}, "tls-maybe"),
        ({"posture": Posture.TLS_FULL}, "give ca=<ca.crt>"),
        ({"posture": Posture.TLS_PINNED, "pin": "abc"}, "needs pin='sha256/<base64>'"),
        ({"posture": Posture.TLS_NO_VERIFY, "cert": Path("c.crt")}, "needs both cert and key"),
        ({"posture": Posture.TLS_NO_VERIFY, "tls_max": "SSLv3"}, "tls_max 'SSLv3' is not valid"),
        ({"posture": Posture.PLAINTEXT, "protocol": 4}, "use 2 or 3"),
        ({"posture": Posture.PLAINTEXT, "timeout": 0}, "timeout must be > 0"),
    ],
)
def test_invalid_specs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((UserError, ValueError)) as info:
        ClientSpec(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_from_pki_fills_trust_and_optionally_the_client_cert(pki: LabPKI) -> None:
    spec = ClientSpec.from_pki(pki, "redis-py", Posture.TLS_PINNED)
    assert spec.ca == pki.ca_cert and spec.pin == pki.server_pin and spec.cert is None
    with_cert = ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, client_cert=True, password="x")
    assert (with_cert.cert, with_cert.key, with_cert.password) == (pki.client.cert, pki.client.key, "x")


def test_outcome_is_json() -> None:
    outcome = ClientOutcome("redis-py", Posture.TLS_FULL, True, None, None,
                            ("OK", ErrorReply("NOAUTH Authentication required."), [1, None]), "TLSv1.3",
                            "TLS_AES_256_GCM_SHA384", 0.01)
    data = json.loads(json.dumps(outcome.to_dict()))
    assert data["posture"] == "tls-full"
    assert data["replies"][1] == {"message": "NOAUTH Authentication required."}
    assert outcome.ok
    failed = ClientOutcome("redis-cli", Posture.TLS_FULL, False, ErrorKind.POSTURE_UNSUPPORTED, "x", (), None,
                           None, 0.0)
    assert not failed.ok and json.loads(json.dumps(failed.to_dict()))["error_class"] == "posture-unsupported"

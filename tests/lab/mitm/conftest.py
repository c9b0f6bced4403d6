"""Live plumbing for the MITM tests: one lab PKI, redis-server TLS targets, and a redis-py session.

The session helper stands in until lab.clients lands; it returns the fields lab.mitm.outcome.ClientView reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target
from tests.conftest import require_tool

PASSWORD = "s3cret-mitm"


@dataclass(frozen=True)
class Session:
    connected: bool
    error_class: str | None
    error_text: str | None
    replies: tuple[object, ...]


def redis_py_session(port: int, pki: LabPKI, posture: str, commands: list[list[str]],
                     with_client_cert: bool = True, timeout: float = 3.0) -> Session:
    kwargs: dict[str, object] = {"ssl_cert_reqs": "none"}
    if posture in ("chain-only", "full"):
        kwargs = {"ssl_cert_reqs": "required", "ssl_ca_certs": str(pki.ca_cert),
                  "ssl_check_hostname": posture == "full"}
    if with_client_cert:
        kwargs |= {"ssl_certfile": str(pki.client.cert), "ssl_keyfile": str(pki.client.key)}
    client = redis.Redis(host="localhost", port=port, ssl=True, password=PASSWORD, socket_timeout=timeout,
                         socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0), **kwargs)  # type: ignore[arg-type]
    replies: list[object] = []
    try:
        for argv in commands:
            replies.append(client.execute_command(*argv))
    except (redis.RedisError, OSError) as exc:
        return Session(bool(replies), type(exc).__name__, str(exc), tuple(replies))
    finally:
        client.close()
    return Session(True, None, None, tuple(replies))


@pytest.fixture(scope="package")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="package")
def tls_target(tmp_path_factory: pytest.TempPathFactory, pki: LabPKI) -> Iterator[RunningTarget]:
    require_tool("redis-server")
    spec = TargetSpec(kind="redis-server", plaintext=False, tls=True, requirepass=PASSWORD)
    with start_target(spec, tmp_path_factory.mktemp("target"), pki) as target:
        yield target


@pytest.fixture(scope="package")
def mtls_target(tmp_path_factory: pytest.TempPathFactory, pki: LabPKI) -> Iterator[RunningTarget]:
    require_tool("redis-server")
    spec = TargetSpec(kind="redis-server", plaintext=False, tls=True, tls_auth_clients="yes",
                      requirepass=PASSWORD)
    with start_target(spec, tmp_path_factory.mktemp("mtarget"), pki) as target:
        yield target


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path

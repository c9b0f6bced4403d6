"""lab.targets.spec: bad specs are refused with the fix in the message."""

from __future__ import annotations

import pytest

from lab.errors import UserError
from lab.targets import TargetSpec


def test_defaults_are_the_bundled_plaintext_server() -> None:
    spec = TargetSpec()
    assert (spec.kind, spec.plaintext, spec.tls, spec.tls_auth_clients) == ("bundled", True, False, "no")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "valkey"}, "unknown target kind 'valkey'; use one of: bundled, redis-server"),
        ({"plaintext": False, "tls": False}, "set plaintext: true or tls: true"),
        ({"tls_auth_clients": "required"}, "use no, optional or yes"),
        ({"appendfsync": "sometimes"}, "use always, everysec or no"),
        ({"tls_protocols": "TLSv1.2 SSLv3"}, "space-separated subset of: TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"),
        ({"tls_protocols": " "}, "tls_protocols ' ' is not valid"),
        ({"extra": (("two words", "x"),)}, "is not a single word"),
        ({"extra": (("save", "1\nrequirepass x"),)}, "contains a line break"),
        ({"users": ("",)}, "must be one non-empty line"),
    ],
)
def test_invalid_specs_name_the_problem(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as info:
        TargetSpec(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)

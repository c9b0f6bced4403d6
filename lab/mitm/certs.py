"""Where the attacker's certificates come from: each source is a realistic position an attacker can be in.

The same attacker, different key material: which sources a client posture rejects is the whole lesson.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from lab.pki import OTHER_HOST_NAME, SERVER_NAMES, Defect, LabPKI


class AttackerCert(enum.Enum):
    MITM_CA = "mitm-ca"  # mitmproxy's own CA forges a cert with the right names; nobody trusts that CA
    ROGUE_CA = "rogue-ca"  # a CA the attacker runs (right names, untrusted issuer)
    SAME_CA_OTHER_HOST = "same-ca-other-host"  # a genuine cert from the victim's CA, for another service
    # the same, issued for both ends (serverAuth + clientAuth): also presented upstream as a client cert
    SAME_CA_ANY_PURPOSE = "same-ca-any-purpose"
    STOLEN_CLIENT_CERT = "stolen-client-cert"  # mitmproxy's CA + the victim's client cert upstream
    EXPIRED = "expired"  # from the victim's CA, right names, expired
    SELF_SIGNED = "self-signed"  # right names, signed by its own key


MATRIX_SOURCES: tuple[AttackerCert, ...] = (
    AttackerCert.MITM_CA,
    AttackerCert.ROGUE_CA,
    AttackerCert.SAME_CA_OTHER_HOST,
    AttackerCert.STOLEN_CLIENT_CERT,
)

_DESCRIPTION = {
    AttackerCert.MITM_CA: "mitmproxy's own CA forges a cert for the server's names",
    AttackerCert.ROGUE_CA: "a rogue CA (not the lab's) signs a cert for the server's names",
    AttackerCert.SAME_CA_OTHER_HOST: f"a genuine lab-CA cert for another host ({OTHER_HOST_NAME}), "
                                     "serverAuth only; no client cert upstream",
    AttackerCert.SAME_CA_ANY_PURPOSE: f"a genuine lab-CA cert for another host ({OTHER_HOST_NAME}) with "
                                      "serverAuth and clientAuth, served to the client and upstream",
    AttackerCert.STOLEN_CLIENT_CERT: "mitmproxy's CA to the client; the victim's stolen client cert upstream",
    AttackerCert.EXPIRED: "a lab-CA cert for the server's names that has expired",
    AttackerCert.SELF_SIGNED: "a self-signed cert for the server's names",
}


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@dataclass(frozen=True)
class AttackerTLS:
    """mitmproxy configuration for one certificate source."""

    source: AttackerCert
    confdir: Path
    options: tuple[tuple[str, str], ...]  # mitmproxy `--set name=value` pairs
    description: str

    @property
    def presents_client_cert(self) -> bool:
        return any(name == "client_certs" for name, _ in self.options)


def prepare_attacker(source: AttackerCert, pki: LabPKI, workdir: Path) -> AttackerTLS:
    """Write the key material for `source` under workdir (keys 0600); return its mitmproxy options."""
    confdir = workdir / f"mitm-{source.value}"
    confdir.mkdir(parents=True, exist_ok=True)
    options: list[tuple[str, str]] = []
    fixed = None
    if source is AttackerCert.ROGUE_CA:
        # mitmproxy signs its forgeries with whatever CA sits in <confdir>/mitmproxy-ca.pem (key + cert).
        rogue = pki.ca.rogue
        _write_secret(confdir / "mitmproxy-ca.pem", rogue.key_pem + rogue.cert_pem)
    elif source is AttackerCert.SAME_CA_OTHER_HOST:
        fixed = pki.ca.issue(OTHER_HOST_NAME, purpose="server", defect=Defect.SAME_CA_OTHER_HOST)
    elif source is AttackerCert.SAME_CA_ANY_PURPOSE:
        fixed = pki.ca.issue(OTHER_HOST_NAME, purpose="server", defect=Defect.ANY_PURPOSE_EKU)
    elif source is AttackerCert.EXPIRED:
        fixed = pki.ca.issue(*SERVER_NAMES, purpose="server", defect=Defect.EXPIRED)
    elif source is AttackerCert.SELF_SIGNED:
        fixed = pki.ca.issue(*SERVER_NAMES, purpose="server", defect=Defect.SELF_SIGNED)
    elif source is AttackerCert.STOLEN_CLIENT_CERT:
        stolen = confdir / "stolen-client.pem"
        _write_secret(stolen, pki.client.cert.read_bytes() + pki.client.key.read_bytes())
        options.append(("client_certs", str(stolen)))
    if fixed is not None:
        # "*" serves this one cert whatever SNI the client sends (or none, as redis-cli without --sni).
        served = fixed.write_combined(confdir / f"served-{source.value}.pem")
        options.append(("certs", f"*={served}"))
        if source is AttackerCert.SAME_CA_ANY_PURPOSE:
            # Redis checks only that a client cert chains to its CA (no name, no identity): this one passes
            options.append(("client_certs", str(served)))
    return AttackerTLS(source, confdir, tuple(options), _DESCRIPTION[source])

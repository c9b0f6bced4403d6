"""The crypto floor: parsing `openssl speed -mr`, per-record and per-handshake costs, a real run."""

from __future__ import annotations

import shutil

import pytest

from lab.bench.crypto_floor import (
    SpeedError,
    evp_name,
    measure,
    negotiated_cipher,
    parse_aead,
    parse_asymmetric,
)
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.lab.bench.conftest import SPEED_AEAD, SPEED_ASYM


def test_aead_record_cost_is_interpolated_and_split_at_16k() -> None:
    a = parse_aead(SPEED_AEAD, "TLS_AES_256_GCM_SHA384", "aes-256-gcm")
    assert a.sizes == (16, 64, 256, 1024, 8192, 16384)
    assert a.record_us(16) == pytest.approx(16 / 40e6 * 1e6)  # 0.4 µs
    assert a.record_us(8) == a.record_us(16)  # a block costs at least the smallest block's time
    # halfway between 16 B (0.4 µs) and 64 B (0.4 µs at 160 MB/s): 0.4 µs
    assert a.record_us(40) == pytest.approx(0.4)
    assert a.record_us(640) == pytest.approx(0.5 + (1.0 - 0.5) * (640 - 256) / (1024 - 256))
    assert a.record_us(16384 * 2 + 16) == pytest.approx(2 * 4.0 + 0.4)
    assert a.record_us(0) == 0.0


def test_handshake_floor_is_signature_plus_two_x25519() -> None:
    signs, x = parse_asymmetric(SPEED_ASYM)
    assert signs["ecdsa-p256"].signs_per_s == 40000 and signs["rsa-2048"].signs_per_s == 3600
    assert x == 25000
    from lab.bench.crypto_floor import CryptoFloor

    f = CryptoFloor("OpenSSL", (), tuple(signs.values()), x, ())
    assert f.handshake_us("ecdsa-p256", "tls1.3", resumed=False) == pytest.approx(25 + 80)
    assert f.handshake_us("rsa-2048", "tls1.3", resumed=False) == pytest.approx(1e6 / 3600 + 80)
    assert f.handshake_us("ecdsa-p256", "tls1.3", resumed=True) == pytest.approx(80)
    assert f.handshake_us("ecdsa-p256", "tls1.2", resumed=True) == 0.0
    assert f.handshake_us("rsa-4096", "tls1.3", resumed=False) is None  # not measured: no number


def test_unreadable_output_is_an_error_not_a_number() -> None:
    with pytest.raises(SpeedError):
        parse_aead("nothing here", "TLS_AES_256_GCM_SHA384", "aes-256-gcm")
    assert evp_name("ECDHE-ECDSA-AES128-GCM-SHA256") == "aes-128-gcm"
    assert evp_name("TLS_CHACHA20_POLY1305_SHA256") == "chacha20-poly1305"
    assert evp_name("RC4-MD5") is None


def test_measure_runs_openssl_speed() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    f = measure({"TLS_AES_128_GCM_SHA256", "NOT_A_CIPHER"}, {"ecdsa-p256"})
    assert f.aead and f.aead[0].evp == "aes-128-gcm" and min(f.aead[0].bytes_per_s) > 0
    assert f.sign_for("ecdsa-p256") is not None and (f.x25519_per_s or 0) > 0
    assert f.error is not None and "NOT_A_CIPHER" in f.error


def test_the_negotiated_cipher_comes_from_a_real_handshake(redis_target: RunningTarget, pki: LabPKI) -> None:
    assert redis_target.tls_port is not None
    got = negotiated_cipher(redis_target.host, redis_target.tls_port, "tls1.3", pki.ca_cert)
    assert got is not None and got.startswith("TLS_AES_")
    assert negotiated_cipher(redis_target.host, redis_target.port or 1, "tls1.3", pki.ca_cert) is None


def test_quick_floor_measures_only_the_sizes_asked() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    f = measure({"TLS_AES_256_GCM_SHA384"}, set(), sizes=(16, 1024))
    (aead,) = f.aead
    assert aead.sizes == (16, 1024) and aead.bytes_per_s[0] < aead.bytes_per_s[1]
    assert [c for c in f.commands if "-evp" in c] == [
        "openssl speed -mr -seconds 1 -evp aes-256-gcm -bytes 16",
        "openssl speed -mr -seconds 1 -evp aes-256-gcm -bytes 1024",
    ]
    assert f.error is None and aead.record_us(600) > aead.record_us(16)

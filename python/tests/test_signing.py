"""Snapshot signatures in the Python client: the same canonical bytes as the Java learner, and
Ed25519 signing and verification with keys in the files the learner's --generate-signing-key
writes (PKCS#8 and X.509, PEM)."""

from __future__ import annotations

import hashlib

import pytest

from creditstream.snapshots import canonical, sign, signature_verifies

# The record SnapshotTrustTest.snapshot(7) builds on the Java side; both tests pin the hash of its
# canonical bytes, so the two encodings cannot drift apart.
RECORD = {
    "experiment_id": "demo",
    "version": 7,
    "created_time_ms": 1_700_000_000_000,
    "artifact_uri": "file:///store/demo/policy-v7.params",
    "sha256": "ab" * 32,
    "artifact_size": 1234,
    "metrics": {"trained_policy_version": 6.0, "loss": 0.25},
}
CANONICAL_SHA256 = "243bde0464a67aabbb3dcf77894781a030ada5a91c22eb7e01ce77dca4aebaab"


def test_canonical_bytes_match_the_java_learners():
    assert hashlib.sha256(canonical(RECORD)).hexdigest() == CANONICAL_SHA256
    reordered = dict(RECORD, metrics={"loss": 0.25, "trained_policy_version": 6.0})
    assert canonical(reordered) == canonical(RECORD)
    assert canonical(dict(RECORD, artifact_size=None)) != canonical(RECORD)


def test_signatures_verify_and_cover_every_field(tmp_path):
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = tmp_path / "snapshot-signing.key"
    public = tmp_path / "snapshot-signing.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    signed = sign(RECORD, private)
    assert len(signed["signature"]) == 64
    assert signature_verifies(signed, public)
    assert not signature_verifies(RECORD, public)
    for field, value in [
        ("version", 2**62),
        ("artifact_uri", "file:///dev/zero"),
        ("sha256", "cd" * 32),
        ("artifact_size", 1235),
        ("metrics", {"trained_policy_version": 1e9, "loss": 0.25}),
    ]:
        assert not signature_verifies(dict(signed, **{field: value}), public), field

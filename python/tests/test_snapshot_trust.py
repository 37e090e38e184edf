"""What the Python SnapshotWatcher believes and reads, as the Java readers do: the version range and
jump bound of SnapshotGate (judge), and PolicySnapshotStore.load's confinement of artifact files to
the store (verify). No broker: these are the rules themselves; test_live runs them on a topic."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from creditstream import snapshots
from creditstream.snapshots import (
    BAD_SIGNATURE,
    BELIEVED,
    DEFAULT_MAX_VERSION_JUMP,
    MAX_VERSION,
    UNSIGNED,
    VERSION_JUMP,
    VERSION_OUT_OF_RANGE,
    SnapshotIntegrityError,
    SnapshotRefusedError,
    judge,
    sign,
    verify,
)


def _snapshot(version, path=None, data=b"", declared=True):
    record = {
        "experiment_id": "exp",
        "version": version,
        "created_time_ms": 1_700_000_000_000,
        "artifact_uri": path.as_uri() if path is not None else "file:///store/exp/policy-v0.params",
        "sha256": hashlib.sha256(data).hexdigest(),
        "artifact_size": len(data) if declared else None,
        "metrics": {},
    }
    return record


# -- judge: SnapshotGate's rule -------------------------------------------------------------------


def test_the_default_jump_is_the_java_readers():
    assert DEFAULT_MAX_VERSION_JUMP == 1000
    assert MAX_VERSION == 2**53


def test_versions_outside_0_to_2_pow_53_are_refused_whatever_the_base():
    assert judge(_snapshot(-1), None) == VERSION_OUT_OF_RANGE
    assert judge(_snapshot(2**62), 2**62 - 1) == VERSION_OUT_OF_RANGE
    assert judge(_snapshot(2**53 + 1), 2**53) == VERSION_OUT_OF_RANGE
    assert judge(_snapshot(2**53), 2**53 - 1) == BELIEVED


def test_a_jump_beyond_the_bound_is_refused_from_the_newest_believed_or_from_0():
    assert judge(_snapshot(1000), None) == BELIEVED
    assert judge(_snapshot(1001), None) == VERSION_JUMP
    assert judge(_snapshot(5007), 7) == VERSION_JUMP
    assert judge(_snapshot(1007), 7) == BELIEVED
    assert judge(_snapshot(3), 7) == BELIEVED  # older: the caller ignores it, nothing to refuse
    assert judge(_snapshot(12), 7, max_version_jump=5) == BELIEVED
    assert judge(_snapshot(13), 7, max_version_jump=5) == VERSION_JUMP


def test_with_a_key_only_valid_signatures_pass_and_the_first_signed_version_may_start_anywhere(
    tmp_path,
):
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = tmp_path / "snapshot-signing.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key()
    signed = sign(_snapshot(50_000), private)
    assert judge(signed, None, public_key=public) == BELIEVED  # a restarted learner's
    assert judge(signed, 10, public_key=public) == VERSION_JUMP  # signed, but still bounded
    assert judge(_snapshot(5), None, public_key=public) == UNSIGNED
    assert judge(dict(signed, version=50_001), None, public_key=public) == BAD_SIGNATURE
    # Without a key the same record is only bounded.
    assert judge(signed, None) == VERSION_JUMP


def test_the_watcher_checks_its_bound_before_connecting():
    with pytest.raises(ValueError, match="max_version_jump must be at least 1"):
        snapshots.SnapshotWatcher("127.0.0.1:1", "exp", max_version_jump=0)
    with pytest.raises(TypeError, match="max_version_jump"):
        snapshots.SnapshotWatcher("127.0.0.1:1", "exp", max_version_jump=1.5)


# -- verify: PolicySnapshotStore.load's confinement ------------------------------------------------


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    (root / "exp").mkdir(parents=True)
    return root


def _artifact(store, data=b"weights", name="policy-v1.params"):
    path = store / "exp" / name
    path.write_bytes(data)
    return path


def test_an_artifact_in_the_store_is_read_and_hashed(store):
    path = _artifact(store)
    verified = verify(_snapshot(1, path, b"weights"), store)
    assert verified.data == b"weights" and verified.path == path.resolve()
    # Declared size absent (an old record): the other checks still apply.
    assert verify(_snapshot(1, path, b"weights", declared=False), store).data == b"weights"


def test_a_file_outside_the_store_is_refused_before_it_is_opened(store, tmp_path):
    outside = tmp_path / "secret"
    outside.write_bytes(b"not yours")
    with pytest.raises(SnapshotRefusedError, match="outside the snapshot store"):
        verify(_snapshot(1, outside, b"not yours"), store)


def test_dev_zero_is_refused_without_reading_it(store):
    record = dict(_snapshot(1), artifact_uri="file:///dev/zero", artifact_size=None)
    with pytest.raises(SnapshotRefusedError, match="outside the snapshot store"):
        verify(record, store)
    # A link to it inside the store resolves outside.
    os.symlink("/dev/zero", store / "exp" / "policy-v2.params")
    with pytest.raises(SnapshotRefusedError, match="resolves to /dev/zero"):
        verify(dict(record, artifact_uri=(store / "exp" / "policy-v2.params").as_uri()), store)


def test_dot_dot_and_other_uris_are_refused(store):
    _artifact(store)
    climbing = f"file://{store}/exp/../exp/policy-v1.params"
    with pytest.raises(SnapshotRefusedError, match=r"contains '\.\.'"):
        verify(dict(_snapshot(1), artifact_uri=climbing), store)
    for uri in (
        "http://example.org/policy-v1.params",
        f"file://otherhost{store}/exp/policy-v1.params",
        "file:relative/policy-v1.params",
    ):
        with pytest.raises(SnapshotRefusedError):
            verify(dict(_snapshot(1), artifact_uri=uri), store)


def test_a_symlink_escaping_the_store_is_refused_one_staying_inside_is_followed(store, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.write_bytes(b"weights")
    os.symlink(outside, store / "exp" / "policy-v3.params")
    with pytest.raises(SnapshotRefusedError, match="outside the snapshot store"):
        verify(_snapshot(3, store / "exp" / "policy-v3.params", b"weights"), store)
    # A directory link out of the store is judged by where it leads, too.
    os.symlink(tmp_path, store / "exp" / "up")
    with pytest.raises(SnapshotRefusedError, match="outside the snapshot store"):
        verify(_snapshot(3, store / "exp" / "up" / "elsewhere", b"weights"), store)
    real = _artifact(store, b"weights", "policy-v4.params")
    os.symlink(real, store / "exp" / "latest.params")
    assert verify(_snapshot(4, store / "exp" / "latest.params", b"weights"), store).data == b"weights"


def test_a_store_reached_through_a_link_matches_uris_spelled_either_way(store, tmp_path):
    path = _artifact(store)
    alias = tmp_path / "alias"
    os.symlink(store, alias)
    assert verify(_snapshot(1, path, b"weights"), alias).data == b"weights"
    assert verify(_snapshot(1, alias / "exp" / path.name, b"weights"), store).data == b"weights"


def test_a_pipe_in_the_store_is_refused_without_blocking(store):
    fifo = store / "exp" / "policy-v5.params"
    os.mkfifo(fifo)
    outcome = []

    def attempt():
        try:
            verify(_snapshot(5, fifo, b""), store)
        except SnapshotRefusedError as e:
            outcome.append(str(e))

    # A blocking open of a pipe with no writer would hang forever; the guard is a hang guard only.
    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "verify blocked on a pipe"
    assert outcome and "not a regular file" in outcome[0]


def test_a_directory_is_refused(store):
    record = dict(_snapshot(1), artifact_uri=(store / "exp").as_uri(), artifact_size=None)
    with pytest.raises(SnapshotRefusedError, match="not a regular file"):
        verify(record, store)


def test_the_size_is_checked_before_reading(store, monkeypatch):
    path = _artifact(store, b"x" * 100)
    with pytest.raises(SnapshotRefusedError, match="declares 99 bytes, the file has 100"):
        verify(dict(_snapshot(1, path, b"x" * 100), artifact_size=99), store)
    monkeypatch.setattr(snapshots, "MAX_ARTIFACT_BYTES", 99)
    with pytest.raises(SnapshotRefusedError, match="100 bytes, more than the 99 allowed"):
        verify(_snapshot(1, path, b"x" * 100, declared=False), store)


def test_a_file_read_in_several_chunks_is_hashed_whole(store):
    data = bytes(range(256)) * 1000  # 256,000 bytes: four 64 KiB chunks
    path = _artifact(store, data)
    assert verify(_snapshot(1, path, data), store).data == data


def test_changed_bytes_fail_the_hash_and_a_missing_store_names_itself(store, tmp_path):
    path = _artifact(store, b"changed")
    with pytest.raises(SnapshotIntegrityError, match="sha256") as failure:
        verify(_snapshot(1, path, b"weights", declared=False), store)
    assert not isinstance(failure.value, SnapshotRefusedError)
    with pytest.raises(SnapshotIntegrityError, match="snapshot store .*no-store"):
        verify(_snapshot(1, path, b"changed"), tmp_path / "no-store")

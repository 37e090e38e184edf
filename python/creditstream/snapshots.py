"""Policy snapshots on ``policy.snapshots``, in the DJL learner's format.

A trainer publishes version ``v`` of experiment ``e`` by writing its weights, immutably, to
``<store>/<e>/policy-v<v>.params`` (a temporary file forced to disk, then hard-linked into place,
which fails if the version exists) and then announcing a PolicySnapshot keyed by the experiment
id, with the file's ``file:`` URI and sha256. A fleet watches the topic for the newest version of
its experiment and loads an artifact only after its sha256 matched.

Snapshots may be signed as the Java learner signs them: Ed25519 over :func:`canonical` (every field
but the signature, in the layout docs/SECURITY.md gives). A publisher with a
``signing_key`` signs; a watcher with a ``public_key`` ignores (and counts in ``refused``) every
snapshot whose signature does not verify. Both need the ``cryptography`` package (Debian:
python3-cryptography), imported only when a key is given.

The watcher applies the Java readers' rules to what the topic says (:func:`judge`, as the Java
``SnapshotGate``): a version outside 0..2^53, or more than ``max_version_jump`` (default 1000)
above the newest it believes, is ignored and counted, signed or not. And it reads an artifact only
as the Java ``PolicySnapshotStore.load`` does (:func:`verify`): a regular file under the store
directory once every symbolic link is resolved, of the declared size and at most
``MAX_ARTIFACT_BYTES``, hashed while it is read.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

import numpy as np
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from . import topics
from .codec import RecordDecodeError, codec
from .security import kafka_security, secured

EXTENSION = ".params"

#: Default of ``max_version_jump``: the Java readers' ``max-version-jump``.
DEFAULT_MAX_VERSION_JUMP = 1000
#: Highest version believed: doubles (JSON, metrics) keep integers exact up to 2^53.
MAX_VERSION = 1 << 53
#: Largest artifact read, as the Java store's: a maze policy is well under 1 MiB.
MAX_ARTIFACT_BYTES = 64 << 20
_READ_CHUNK = 64 * 1024

# What judge() decides, named as the Java SnapshotGate's verdicts.
BELIEVED = "believed"
UNSIGNED = "unsigned"
BAD_SIGNATURE = "bad-signature"
VERSION_OUT_OF_RANGE = "version-out-of-range"
VERSION_JUMP = "version-jump"

_EXPERIMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


_CANONICAL_FORMAT = b"creditstream.PolicySnapshot.v1\n"


def canonical(snapshot: Mapping[str, Any]) -> bytes:
    """The bytes a snapshot's signature covers, as the Java side builds them: a format tag, then
    experiment_id, version, created_time_ms, artifact_uri, sha256, the metrics sorted by key (in
    UTF-16 code unit order, Java's String order) and artifact_size; strings as a 4-byte big-endian
    length and UTF-8, integers as 8 bytes big-endian, doubles as their IEEE 754 bits."""
    out = bytearray(_CANONICAL_FORMAT)

    def text(value: Optional[str]) -> None:
        data = (value or "").encode("utf-8")
        out.extend(struct.pack(">i", len(data)))
        out.extend(data)

    text(snapshot["experiment_id"])
    out.extend(struct.pack(">q", int(snapshot["version"])))
    out.extend(struct.pack(">q", int(snapshot["created_time_ms"])))
    text(snapshot["artifact_uri"])
    text(snapshot["sha256"])
    metrics = snapshot.get("metrics") or {}
    out.extend(struct.pack(">i", len(metrics)))
    for key in sorted(metrics, key=lambda k: k.encode("utf-16-be")):
        text(key)
        out.extend(struct.pack(">d", float(metrics[key])))
    size = snapshot.get("artifact_size")
    if size is None:
        out.append(0)
    else:
        out.append(1)
        out.extend(struct.pack(">q", int(size)))
    return bytes(out)


def _read_key(path: os.PathLike, private: bool):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    data = Path(path).read_bytes()
    pem = data.lstrip().startswith(b"-----BEGIN")
    if private:
        load = serialization.load_pem_private_key if pem else serialization.load_der_private_key
        key = load(data, password=None)
        wanted = ed25519.Ed25519PrivateKey
    else:
        load = serialization.load_pem_public_key if pem else serialization.load_der_public_key
        key = load(data)
        wanted = ed25519.Ed25519PublicKey
    if not isinstance(key, wanted):
        kind = "private" if private else "public"
        raise ValueError(f"{path} is not an Ed25519 {kind} key")
    return key


def sign(snapshot: Mapping[str, Any], private_key_path: os.PathLike) -> Dict[str, Any]:
    """``snapshot`` with its ``signature`` set by the Ed25519 private key (PKCS#8, PEM or DER)."""
    key = _read_key(private_key_path, private=True)
    signed = dict(snapshot)
    signed["signature"] = key.sign(canonical(snapshot))
    return signed


def signature_verifies(snapshot: Mapping[str, Any], public_key) -> bool:
    """Whether ``snapshot`` carries a valid signature by ``public_key`` (a key file path, or a key
    object from ``cryptography``); False for an unsigned snapshot."""
    from cryptography.exceptions import InvalidSignature

    if isinstance(public_key, (str, os.PathLike)):
        public_key = _read_key(public_key, private=False)
    signature = snapshot.get("signature")
    if not signature:
        return False
    try:
        public_key.verify(bytes(signature), canonical(snapshot))
        return True
    except InvalidSignature:
        return False


def judge(
    snapshot: Mapping[str, Any],
    newest_believed: Optional[int],
    max_version_jump: int = DEFAULT_MAX_VERSION_JUMP,
    public_key=None,
) -> str:
    """Whether a reader may believe ``snapshot``, by the Java readers' rule (``SnapshotGate``):
    :data:`BELIEVED`, or why not. A version outside 0..2^53 is refused; with a ``public_key`` an
    unsigned or badly signed snapshot is; and, signed or not, a version more than
    ``max_version_jump`` above ``newest_believed`` (the newest version the reader believes, None
    before the first), since a learner publishes its versions in order. Before the first, the jump
    is measured from 0, except for a verified signature: the key holder may start anywhere."""
    version = int(snapshot["version"])
    if version < 0 or version > MAX_VERSION:
        return VERSION_OUT_OF_RANGE
    verified = False
    if public_key is not None:
        if not snapshot.get("signature"):
            return UNSIGNED
        if not signature_verifies(snapshot, public_key):
            return BAD_SIGNATURE
        verified = True
    if newest_believed is None and verified:
        return BELIEVED
    base = 0 if newest_believed is None else max(0, newest_believed)
    if version - base > max_version_jump:
        return VERSION_JUMP
    return BELIEVED


class SnapshotIntegrityError(RuntimeError):
    """An artifact whose bytes do not match its snapshot's sha256 (or cannot be read)."""


class SnapshotRefusedError(SnapshotIntegrityError):
    """An artifact not read at all: outside the store, not a regular file, or of the wrong size."""

    def __init__(self, uri: str, reason: str):
        super().__init__(f"refused the snapshot artifact {uri}: {reason}")
        self.uri = uri
        self.reason = reason


@dataclass
class VerifiedSnapshot:
    """A PolicySnapshot whose artifact was read and matched its sha256."""

    record: Dict[str, Any]
    path: Path
    data: bytes

    @property
    def version(self) -> int:
        return self.record["version"]

    @property
    def metrics(self) -> Dict[str, float]:
        return self.record["metrics"]


def artifact_path(store: Path, experiment_id: str, version: int) -> Path:
    """Where the learner's store keeps ``version`` of ``experiment_id``."""
    if not _EXPERIMENT_ID.fullmatch(experiment_id or "") or ".." in experiment_id:
        raise ValueError(
            f'experiment id "{experiment_id}" cannot name a directory; use letters, digits, '
            "'.', '_' and '-', starting with a letter or digit"
        )
    if version < 0:
        raise ValueError(f"version must be >= 0, got {version}")
    return Path(store).resolve() / experiment_id / f"policy-v{version}{EXTENSION}"


def _file_uri(path: Path) -> str:
    # As Java's Path.toUri(): file:///abs/path (a directory would end in '/').
    return path.as_uri()


def verify(snapshot: Mapping[str, Any], store: os.PathLike) -> VerifiedSnapshot:
    """Reads the artifact of ``snapshot`` from under ``store`` and checks its sha256.

    The record comes from a topic, so nothing it names is trusted: the artifact must be a ``file:``
    URI without ``..`` whose real path (every symbolic link resolved) lies under the real path of
    ``store``, a regular file (not a device, a pipe or a directory) of exactly the declared
    ``artifact_size`` when the record declares one, and at most :data:`MAX_ARTIFACT_BYTES`; it is
    hashed as it is read. SnapshotRefusedError before reading a byte otherwise;
    SnapshotIntegrityError if the bytes do not match the sha256."""
    uri_text = snapshot["artifact_uri"]
    real = _confined(uri_text, store)
    try:
        # O_NOFOLLOW: the file judged above must be the one opened, not a link swapped in since.
        # O_NONBLOCK: a pipe swapped in would otherwise block the open; it is refused below.
        descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise SnapshotIntegrityError(
            f"cannot read the artifact of version {snapshot['version']}: {e}"
        ) from e
    try:
        # Judged on the open file itself, so no rename between the check and the read matters.
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise SnapshotRefusedError(
                uri_text, "it is not a regular file (a device, a pipe or a directory)"
            )
        size = status.st_size
        declared = snapshot.get("artifact_size")
        if declared is not None and int(declared) != size:
            raise SnapshotRefusedError(
                uri_text, f"the snapshot declares {declared} bytes, the file has {size}"
            )
        if size > MAX_ARTIFACT_BYTES:
            raise SnapshotRefusedError(
                uri_text, f"it has {size} bytes, more than the {MAX_ARTIFACT_BYTES} allowed"
            )
        with os.fdopen(descriptor, "rb", buffering=0, closefd=False) as artifact:
            data, actual = _read_hashing(artifact, size, uri_text)
    finally:
        os.close(descriptor)
    if actual.lower() != str(snapshot["sha256"]).lower():
        raise SnapshotIntegrityError(
            f"artifact {real} of version {snapshot['version']} has sha256 {actual}, but its "
            f"snapshot says {snapshot['sha256']}: it was changed after publication"
        )
    return VerifiedSnapshot(dict(snapshot), real, data)


def _confined(uri_text: str, store: os.PathLike) -> Path:
    """The real path of the file ``uri_text`` names, if it lies under ``store``'s real path (real
    paths on both sides, so a store reached through a link still matches the URIs a publisher
    wrote with its own spelling of it)."""
    uri = urlparse(uri_text)
    if uri.scheme.lower() != "file":
        raise SnapshotRefusedError(uri_text, "it is not a file: URI; this client reads files")
    if uri.netloc not in ("", "localhost") or uri.query or uri.fragment:
        raise SnapshotRefusedError(uri_text, "it is not a valid file: URI")
    path = Path(unquote(uri.path))
    if not path.is_absolute():
        raise SnapshotRefusedError(uri_text, "it is not a valid file: URI")
    if ".." in path.parts:
        raise SnapshotRefusedError(uri_text, "it contains '..'")
    try:
        root = Path(store).resolve(strict=True)
    except OSError as e:
        raise SnapshotIntegrityError(
            f"the snapshot store {store} cannot be read ({e}); give the publisher's store, "
            "visible at the same path"
        ) from e
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError as e:
        raise SnapshotIntegrityError(f"the snapshot's artifact {path} does not exist") from e
    except (OSError, RuntimeError) as e:  # a symbolic link loop, a permission
        raise SnapshotIntegrityError(f"cannot resolve the snapshot's artifact {path}: {e}") from e
    # A symbolic link inside the store may lead anywhere: judge the file it resolves to.
    if not real.is_relative_to(root):
        raise SnapshotRefusedError(
            uri_text, f"it resolves to {real}, outside the snapshot store {root}"
        )
    return real


def _read_hashing(artifact, size: int, uri_text: str) -> Tuple[bytes, str]:
    """Exactly ``size`` bytes in chunks, each fed to SHA-256 as it arrives, and their hex digest;
    refuses a file that shrank or grew while read."""
    data = bytearray(size)
    view = memoryview(data)
    digest = hashlib.sha256()
    read = 0
    while read < size:
        n = artifact.readinto(view[read : min(size, read + _READ_CHUNK)])
        if not n:
            raise SnapshotRefusedError(uri_text, f"it shrank to {read} bytes while it was read")
        digest.update(view[read : read + n])
        read += n
    if artifact.read(1):
        raise SnapshotRefusedError(uri_text, "it grew while it was read")
    return bytes(data), digest.hexdigest()


class SnapshotPublisher:
    """Publishes weights as immutable, hash-checked versions and announces each on the snapshot
    topic, as the DJL learner does: artifact first, then the record (acks=all, waited for)."""

    def __init__(
        self,
        bootstrap_servers: str,
        store: os.PathLike,
        experiment_id: str,
        topic: str = topics.SNAPSHOTS,
        timeout: float = 30.0,
        signing_key: Optional[os.PathLike] = None,
        security: Any = None,
    ):
        artifact_path(Path(store), experiment_id, 0)  # validates the id early
        self.signing_key = signing_key
        if signing_key is not None:
            _read_key(signing_key, private=True)  # a bad key fails here, not at the first publish
        self.store = Path(store).resolve()
        self.experiment_id = experiment_id
        self.topic = topic
        self.timeout = timeout
        self._codec = codec("PolicySnapshot")
        self._producer = Producer(
            secured(
                {"bootstrap.servers": bootstrap_servers, "acks": "all", "enable.idempotence": True},
                kafka_security(security),
            )
        )

    def publish(
        self, version: int, weights: bytes, metrics: Optional[Mapping[str, float]] = None
    ) -> Dict[str, Any]:
        """Writes ``weights`` as ``version`` and announces it; returns the PolicySnapshot.

        An artifact already in the store is reused only if it holds exactly these bytes (a retry
        after a crash between the two steps); other bytes raise FileExistsError, since versions are
        immutable.
        """
        target = artifact_path(self.store, self.experiment_id, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            self._write_once(target, weights)
        if target.read_bytes() != bytes(weights):
            raise FileExistsError(
                f"the store already holds version {version} of experiment "
                f"'{self.experiment_id}' ({target}) with other weights; versions are immutable: "
                "publish a new version, or use another store"
            )
        record = {
            "experiment_id": self.experiment_id,
            "version": int(version),
            "created_time_ms": int(time.time() * 1000),
            "artifact_uri": _file_uri(target),
            "sha256": hashlib.sha256(weights).hexdigest(),
            "artifact_size": len(weights),
            "metrics": {k: float(v) for k, v in (metrics or {}).items()},
        }
        if self.signing_key is not None:
            record = sign(record, self.signing_key)
        errors: List[Any] = []
        self._producer.produce(
            self.topic,
            self._codec.encode(record),
            self.experiment_id.encode("utf-8"),
            on_delivery=lambda error, _m: errors.append(error) if error else None,
        )
        if self._producer.flush(self.timeout) or errors:
            raise RuntimeError(
                f"cannot announce version {version} on {self.topic}: "
                + (str(errors[0]) if errors else f"not acknowledged within {self.timeout} s")
            )
        return record

    @staticmethod
    def _write_once(target: Path, weights: bytes) -> None:
        descriptor, temp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(weights)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, target)  # atomic create-if-absent: whole or not at all
            except FileExistsError:
                pass  # a racing publisher won; the caller compares the bytes
        finally:
            os.unlink(temp)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def close(self) -> None:
        self._producer.flush(self.timeout)

    def __enter__(self) -> "SnapshotPublisher":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class SnapshotWatcher:
    """Follows the snapshot topic from its beginning and keeps the newest verified snapshot of one
    experiment. ``poll`` reads what arrived and returns the newest snapshot if it is newer than the
    one it had (else None). Snapshots :func:`judge` refuses (version range and jump, and with a
    ``public_key`` the signature) are ignored and counted in ``refused``. The newest believed
    snapshot's artifact is read from under ``store`` only (:func:`verify`, default
    ``policy-store`` as the Java fleet's ``--store``): one refused there, or failing its sha256,
    raises SnapshotIntegrityError (SnapshotRefusedError for a refusal) and is not taken; ``latest``
    stays, and the next ``poll`` goes on after it. Use from one thread; close it (or use
    ``with``)."""

    def __init__(
        self,
        bootstrap_servers: str,
        experiment_id: str,
        topic: str = topics.SNAPSHOTS,
        timeout: float = 30.0,
        public_key: Optional[os.PathLike] = None,
        security: Any = None,
        store: os.PathLike = "policy-store",
        max_version_jump: int = DEFAULT_MAX_VERSION_JUMP,
    ):
        if isinstance(max_version_jump, bool) or not isinstance(max_version_jump, int):
            raise TypeError(f"max_version_jump must be an int, got {max_version_jump!r}")
        if max_version_jump < 1:
            raise ValueError(f"max_version_jump must be at least 1 (versions), got {max_version_jump}")
        self.experiment_id = experiment_id
        self.topic = topic
        self.store = Path(store)
        self.max_version_jump = max_version_jump
        self.latest: Optional[VerifiedSnapshot] = None
        #: Snapshots of the experiment ignored by :func:`judge`: a version out of range or jumping
        #: too far, or (with a public key) a signature that does not verify.
        self.refused = 0
        #: The same, by verdict (UNSIGNED, BAD_SIGNATURE, VERSION_OUT_OF_RANGE, VERSION_JUMP).
        self.refusals: Dict[str, int] = {}
        #: The newest version believed, whether or not its artifact could be read: the base of the
        #: version-jump bound, as in the Java fleet.
        self.newest_believed: Optional[int] = None
        self._public_key = None if public_key is None else _read_key(public_key, private=False)
        self._codec = codec("PolicySnapshot")
        self._consumer = Consumer(
            secured(
                {
                    "bootstrap.servers": bootstrap_servers,
                    "group.id": f"creditstream-snapshots-{experiment_id}",
                    "enable.auto.commit": False,
                },
                kafka_security(security),
            )
        )
        deadline = time.monotonic() + timeout
        while True:
            described = self._consumer.list_topics(topic, timeout=timeout).topics.get(topic)
            if described is not None and described.error is None and described.partitions:
                break
            if time.monotonic() > deadline:
                self._consumer.close()
                raise RuntimeError(
                    f"topic {topic} is not on {bootstrap_servers}; start the job first (it "
                    "creates its topics)"
                )
            time.sleep(0.5)
        self._consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(described.partitions)]
        )

    def poll(self, timeout: float = 0.5) -> Optional[VerifiedSnapshot]:
        """Reads the snapshots that arrived within ``timeout`` seconds; returns the newest one of
        the experiment if it is newer than ``latest``, else None."""
        newest: Optional[Dict[str, Any]] = None
        message = self._consumer.poll(timeout)
        while message is not None:
            if message.error() is None:
                try:
                    snapshot = self._codec.decode(message.value())
                except RecordDecodeError:
                    snapshot = None  # another writer's record: not a snapshot this client reads
                if (
                    snapshot is not None
                    and snapshot["experiment_id"] == self.experiment_id
                    and self._believed(snapshot)
                    and (self.newest_believed is None or snapshot["version"] > self.newest_believed)
                ):
                    # In record order, so each version's jump is measured from the one before.
                    self.newest_believed = snapshot["version"]
                    if self.latest is None or snapshot["version"] > self.latest.version:
                        newest = snapshot
            message = self._consumer.poll(0)
        if newest is None:
            return None
        self.latest = verify(newest, self.store)
        return self.latest

    def _believed(self, snapshot: Mapping[str, Any]) -> bool:
        verdict = judge(snapshot, self.newest_believed, self.max_version_jump, self._public_key)
        if verdict == BELIEVED:
            return True
        self.refused += 1
        self.refusals[verdict] = self.refusals.get(verdict, 0) + 1
        return False

    def wait_for(self, version: int = 0, timeout: float = 60.0) -> VerifiedSnapshot:
        """The newest snapshot once one of at least ``version`` arrived; TimeoutError if none did
        within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.latest is None or self.latest.version < version:
            if time.monotonic() > deadline:
                have = "none" if self.latest is None else f"version {self.latest.version}"
                raise TimeoutError(
                    f"no snapshot of {self.experiment_id} at version >= {version} within "
                    f"{timeout} s (have {have})"
                )
            self.poll(0.5)
        return self.latest

    def close(self) -> None:
        self._consumer.close()

    def __enter__(self) -> "SnapshotWatcher":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


# The DJL policy network's weight format (PolicyNetwork.writeTo), big-endian: magic "CSPW",
# format 1, rows, cols, hidden size, activation name, the action names, then per array its name,
# shape and float32 values. A Python trainer that writes it publishes weights the Java fleet loads.
_MAGIC = 0x43535057
_FORMAT = 1
_LAYERS = ("hidden1", "hidden2", "logits")


def _expected_shapes(rows: int, cols: int, hidden: int, actions: int) -> Dict[str, Tuple[int, ...]]:
    from .policy import feature_count

    inputs = feature_count(rows, cols)
    return {
        "hidden1.weight": (hidden, inputs),
        "hidden1.bias": (hidden,),
        "hidden2.weight": (hidden, hidden),
        "hidden2.bias": (hidden,),
        "logits.weight": (actions, hidden),
        "logits.bias": (actions,),
    }


def _write_utf(out: List[bytes], text: str) -> None:
    encoded = text.encode("utf-8")  # Java's modified UTF-8 equals UTF-8 for these ASCII names
    out.append(struct.pack(">H", len(encoded)) + encoded)


def encode_policy_network(
    rows: int,
    cols: int,
    activation: str,
    actions: Sequence[str],
    weights: Mapping[str, np.ndarray],
) -> bytes:
    """Weights of a two-hidden-layer MLP (``hidden1``, ``hidden2``, ``logits``; each ``.weight``
    of shape [out, in] and ``.bias`` of shape [out]) in the DJL learner's artifact format. The
    shapes must be those the Java reader derives from the maze size (the input is
    ``creditstream.policy.feature_count(rows, cols)`` wide): ValueError naming the array if not."""
    hidden = int(np.asarray(weights["hidden1.weight"]).shape[0])
    for name, shape in _expected_shapes(rows, cols, hidden, len(actions)).items():
        actual = tuple(np.asarray(weights[name]).shape)
        if actual != shape:
            raise ValueError(
                f"{name} has shape {list(actual)}, but a {rows}x{cols} maze policy with {hidden} "
                f"hidden units and {len(actions)} actions needs {list(shape)}; the Java reader "
                "would refuse it"
            )
    out: List[bytes] = [struct.pack(">iiiii", _MAGIC, _FORMAT, rows, cols, hidden)]
    _write_utf(out, activation.upper())
    out.append(struct.pack(">i", len(actions)))
    for action in actions:
        _write_utf(out, action)
    out.append(struct.pack(">i", 2 * len(_LAYERS)))
    for layer in _LAYERS:
        for kind in ("weight", "bias"):
            name = f"{layer}.{kind}"
            array = np.asarray(weights[name], dtype=">f4")
            _write_utf(out, name)
            out.append(struct.pack(">i", array.ndim))
            out.append(struct.pack(f">{array.ndim}q", *array.shape))
            out.append(array.tobytes(order="C"))
    return b"".join(out)


def decode_policy_network(data: bytes) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
    """The spec (rows, cols, hidden, activation, actions) and weights of an artifact."""
    view = memoryview(data)
    position = 0

    def take(fmt: str):
        nonlocal position
        values = struct.unpack_from(fmt, view, position)
        position += struct.calcsize(fmt)
        return values

    def utf() -> str:
        nonlocal position
        (length,) = take(">H")
        text = bytes(view[position : position + length]).decode("utf-8")
        position += length
        return text

    magic, form, rows, cols, hidden = take(">iiiii")
    if magic != _MAGIC or form != _FORMAT:
        raise ValueError(f"not a policy network of format {_FORMAT}: magic 0x{magic:08x}, format {form}")
    activation = utf()
    (count,) = take(">i")
    actions = [utf() for _ in range(count)]
    (arrays,) = take(">i")
    weights = {}
    for _ in range(arrays):
        name = utf()
        (rank,) = take(">i")
        shape = take(f">{rank}q")
        size = int(np.prod(shape)) if rank else 1
        weights[name] = (
            np.frombuffer(view, dtype=">f4", count=size, offset=position).reshape(shape).astype(np.float32)
        )
        position += 4 * size
    if position != len(data):
        raise ValueError(f"policy artifact has {len(data) - position} trailing bytes")
    expected = _expected_shapes(rows, cols, hidden, len(actions))
    if list(weights) != list(expected):
        raise ValueError(f"policy artifact holds arrays {list(weights)}, expected {list(expected)}")
    for name, shape in expected.items():
        if weights[name].shape != shape:
            raise ValueError(
                f"policy artifact's {name} has shape {list(weights[name].shape)}, expected {list(shape)}"
            )
    spec = {"rows": rows, "cols": cols, "hidden": hidden, "activation": activation, "actions": actions}
    return spec, weights

"""Policy snapshots across the languages, through the real broker: what the Python package
publishes and signs, the Java fleet's own reader, signature gate and snapshot store believe and load,
with the same numbers; and what the Java learner's classes publish and sign, the Python watcher
believes and evaluates alike. The Java half is python/tests/java/SnapshotBridge.java, run on the
policy module's classpath."""

from __future__ import annotations

import base64
import hashlib
import random
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import RESULT_TIMEOUT, ROOT, policy_classpath

from creditstream import SnapshotPublisher, SnapshotWatcher, decode_policy_network, encode_policy_network
from creditstream.policy import NumpyPolicy, encode_observation, feature_count

sys.path.insert(0, str(ROOT / "examples"))
from maze import ACTIONS, Maze  # noqa: E402

ROWS, COLS, HIDDEN = 4, 5, 16
#: float32 network evaluated in another order of operations: equal well within this.
LOG_PROB_TOLERANCE = 1e-5


def _observations():
    """Observations of the example maze in every phase: key on the floor, key held, door open,
    the agent in the doorway and in the right room."""
    rng = random.Random(7)
    seen = []
    for task in range(6):
        maze = Maze(task)
        observation = maze.reset()
        for _ in range(60):
            if observation not in seen:
                seen.append(observation)
            observation, _reward, done, _invalid = maze.step(rng.choice(ACTIONS))
            if done:
                break
    seen = seen[:38]
    # And the phases a random walk rarely reaches, from a scripted layout.
    maze = Maze(0)
    maze.reset()
    maze.agent, maze.has_key, maze.door_open = maze.door, True, True
    seen.append(maze.render())
    maze.agent = (maze.door[0], maze.door[1] + 1)  # through the door, in the right room
    seen.append(maze.render())
    return seen


OBSERVATIONS = _observations()


def _keys(directory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    directory.mkdir()
    private, public = directory / "snapshot-signing.key", directory / "snapshot-signing.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def _weights(seed):
    rng = np.random.default_rng(seed)
    shapes = {
        "hidden1.weight": (HIDDEN, feature_count(ROWS, COLS)),
        "hidden1.bias": (HIDDEN,),
        "hidden2.weight": (HIDDEN, HIDDEN),
        "hidden2.bias": (HIDDEN,),
        "logits.weight": (len(ACTIONS), HIDDEN),
        "logits.bias": (len(ACTIONS),),
    }
    return {name: (rng.standard_normal(shape) * 0.5).astype(np.float32) for name, shape in shapes.items()}


def _array_hashes(weights):
    return {
        name: hashlib.sha256(np.asarray(array, dtype=">f4").tobytes()).hexdigest()
        for name, array in weights.items()
    }


def _bridge(tmp_path, *args):
    """Runs SnapshotBridge; its NETWORK/REFUSED/LOAD_FAILED lines, parsed."""
    observations = tmp_path / "observations.b64"
    observations.write_text("\n".join(base64.b64encode(o.encode()).decode() for o in OBSERVATIONS) + "\n")
    command = [
        "java",
        "-cp",
        policy_classpath(),
        str(ROOT / "python/tests/java/SnapshotBridge.java"),
        args[0],
        args[1],
        args[2],
        args[3],
        str(observations),
        *args[4:],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RESULT_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind not in ("NETWORK", "REFUSED", "LOAD_FAILED"):
            continue  # the JVM's log lines
        experiment, version, detail = rest.split(" ", 2)
        entry = {"kind": kind, "detail": detail}
        if kind == "NETWORK":
            head, _, tail = detail.partition(" LOGPROBS ")
            logprobs, _, rewritten = tail.partition(" REWRITTEN ")
            entry["arrays"] = dict(item.split("=") for item in head.split())
            entry["log_probs"] = np.array([float(v) for v in logprobs.split()]).reshape(-1, len(ACTIONS))
            entry["rewritten_sha256"] = rewritten.strip()
        results[(experiment, int(version))] = entry
    return results, done.stdout + done.stderr


def _torch_policy():
    """examples/python_trainer.py's PyTorch module with trained-looking weights (not the
    near-uniform initial ones), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    import python_trainer

    policy = python_trainer.MazePolicy(ROWS, COLS, HIDDEN, seed=3)
    with torch.no_grad():
        noise = torch.Generator().manual_seed(5)
        for parameter in policy.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=noise) * 0.3)
    return policy


@pytest.fixture(scope="module")
def python_signed(stack, tmp_path_factory):
    """Snapshots the Python package published (one JVM reads them all: DJL starts slowly), and
    what the Java fleet's classes made of them."""
    pytest.importorskip("cryptography")
    tmp_path = tmp_path_factory.mktemp("python-signed")
    private, public = _keys(tmp_path / "keys")
    other_private, _ = _keys(tmp_path / "other-keys")
    store = tmp_path / "store"
    blobs = {}
    # Signed with the key the Java reader trusts: two versions, believed and loaded in order.
    with SnapshotPublisher(stack.bootstrap, store, "py-signed", signing_key=private) as publisher:
        for version in (0, 1):
            blobs[version] = encode_policy_network(ROWS, COLS, "tanh", ACTIONS, _weights(version))
            publisher.publish(version, blobs[version], {"trained_policy_version": version - 1.0})
    # Unsigned, and signed with another key: refused before their weights are touched.
    with SnapshotPublisher(stack.bootstrap, store, "py-unsigned") as publisher:
        publisher.publish(0, blobs[0])
    with SnapshotPublisher(stack.bootstrap, store, "py-other-key", signing_key=other_private) as publisher:
        publisher.publish(0, blobs[0])
    # Signed, then its artifact changed in the store: the signature holds, the sha256 does not.
    with SnapshotPublisher(stack.bootstrap, store, "py-tampered", signing_key=private) as publisher:
        publisher.publish(0, blobs[0])
    (store / "py-tampered" / "policy-v0.params").write_bytes(blobs[1])
    # The torch trainer's network, written as the trainer writes it.
    torch_policy = _torch_policy()
    if torch_policy is not None:
        with SnapshotPublisher(stack.bootstrap, store, "py-torch", signing_key=private) as publisher:
            publisher.publish(0, torch_policy.artifact())

    results, output = _bridge(
        tmp_path, "read", stack.bootstrap, str(store), str(public),
        "py-signed", "py-unsigned", "py-other-key", "py-tampered", "py-torch",
    )  # fmt: skip
    return results, output, blobs, torch_policy


def test_python_features_are_the_java_encoders_bit_for_bit(tmp_path):
    observations = tmp_path / "observations.b64"
    observations.write_text("\n".join(base64.b64encode(o.encode()).decode() for o in OBSERVATIONS) + "\n")
    command = [
        "java",
        "-cp",
        policy_classpath(),
        str(ROOT / "python/tests/java/SnapshotBridge.java"),
        "features",
        str(ROWS),
        str(COLS),
        str(observations),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RESULT_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    java = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("FEATURES ")]
    assert len(java) == len(OBSERVATIONS)
    for observation, bits in zip(OBSERVATIONS, java):
        python = encode_observation(observation, ROWS, COLS).view(np.uint32)
        assert [format(int(b), "x") for b in python] == bits, observation


def test_java_believes_and_loads_what_python_signed(python_signed):
    results, output, blobs, _ = python_signed
    assert results[("py-unsigned", 0)]["detail"] == "UNSIGNED", output
    assert results[("py-other-key", 0)]["detail"] == "BAD_SIGNATURE", output
    assert results[("py-tampered", 0)]["kind"] == "LOAD_FAILED", output
    assert "SnapshotIntegrityException" in results[("py-tampered", 0)]["detail"], output
    for version in (0, 1):
        loaded = results[("py-signed", version)]
        assert loaded["kind"] == "NETWORK", output
        # The same numbers, bit for bit, and the artifact Java would write for them is Python's.
        assert loaded["arrays"] == _array_hashes(_weights(version))
        assert loaded["rewritten_sha256"] == hashlib.sha256(blobs[version]).hexdigest()
        # And the same policy: Java's log-probabilities of the maze's observations are numpy's.
        python = NumpyPolicy.from_artifact(blobs[version]).observation_log_probs(OBSERVATIONS)
        np.testing.assert_allclose(loaded["log_probs"], python, atol=LOG_PROB_TOLERANCE)


def test_the_torch_trainers_network_is_the_java_network(python_signed):
    """examples/python_trainer.py's PyTorch module, written as the trainer writes it, is loaded by
    the Java store and gives the log-probabilities torch gives."""
    torch = pytest.importorskip("torch")
    results, output, _, policy = python_signed
    loaded = results[("py-torch", 0)]
    assert loaded["kind"] == "NETWORK", output
    features = torch.as_tensor(np.stack([encode_observation(o, ROWS, COLS) for o in OBSERVATIONS]))
    with torch.no_grad():
        expected = policy(features).numpy()
    np.testing.assert_allclose(loaded["log_probs"], expected, atol=LOG_PROB_TOLERANCE)


def test_python_believes_and_loads_what_java_signed(stack, tmp_path):
    pytest.importorskip("cryptography")
    store, keys = tmp_path / "store", tmp_path / "java-keys"
    results, output = _bridge(
        tmp_path, "publish", stack.bootstrap, str(store), str(keys), "java-signed", "3", "42",
        str(ROWS), str(COLS), str(HIDDEN),
    )  # fmt: skip
    java = results[("java-signed", 3)]
    assert java["kind"] == "NETWORK", output

    # The Python watcher with the learner's public key file: signature and sha256 verified.
    with SnapshotWatcher(
        stack.bootstrap, "java-signed", store=store, public_key=keys / "snapshot-signing.pub"
    ) as watcher:
        snapshot = watcher.wait_for(3, timeout=RESULT_TIMEOUT)
        assert watcher.refused == 0
    spec, weights = decode_policy_network(snapshot.data)
    assert spec == {"rows": ROWS, "cols": COLS, "hidden": HIDDEN, "activation": "TANH", "actions": ACTIONS}
    assert _array_hashes(weights) == java["arrays"]
    assert encode_policy_network(ROWS, COLS, "tanh", ACTIONS, weights) == snapshot.data
    python = NumpyPolicy(spec, weights).observation_log_probs(OBSERVATIONS)
    np.testing.assert_allclose(python, java["log_probs"], atol=LOG_PROB_TOLERANCE)

    # A watcher trusting another key refuses the same snapshot.
    _, stranger = _keys(tmp_path / "stranger")
    with SnapshotWatcher(stack.bootstrap, "java-signed", store=store, public_key=stranger) as watcher:
        deadline = time.monotonic() + RESULT_TIMEOUT
        while watcher.refused == 0 and time.monotonic() < deadline:
            assert watcher.poll(0.5) is None
        assert watcher.refused == 1 and watcher.latest is None

"""Single-object encoding: byte for byte the Java codec's, in both directions, for every record
type with every optional field set and with every one left at its default."""

from __future__ import annotations

import base64
import json
import math
import subprocess

import pytest
from conftest import ROOT, all_jar

from creditstream.codec import RecordDecodeError, RecordEncodeError, codec, crc64_avro, schema_names

STEP_FULL = {
    "experiment_id": "exp-π",
    "task_id": "task-7",
    "group_id": "group-\U0001f600",
    "episode_id": "episode-1",
    "step_index": 2**31 - 1,
    "policy_version": 2**53,
    "state_key": "room-3",
    "observation": "a\nmulti-line\tobservation é ☃",
    "action": "open",
    "reward": -0.0,
    "invalid_action": True,
    "done": True,
    "episode_return": 1e308,
    "group_size": 8,
    "behavior_logprob": -1.2345678901234567,
    "prm_logprob": -5e-324,
    "ref_logprob": 0.1,
    "answer_prob": 0.999,
    "event_time_ms": -(2**63),
}
STEP_MINIMAL = {
    "experiment_id": "e",
    "task_id": "t",
    "group_id": "g",
    "episode_id": "ep",
    "step_index": 0,
    "group_size": 1,
}
RECORD_FULL = {
    "experiment_id": "exp",
    "task_id": "task",
    "group_id": "group",
    "episode_id": "episode",
    "step_index": 3,
    "policy_version": 9,
    "advantage": 0.75,
    "episode_advantage": 0.5,
    "step_advantage": 0.25,
    "process_reward": -0.125,
    "step_return": 2.5,
    "anchor_group_size": 4,
    "estimator": "gigpo",
    "observation": "obs",
    "action": "north",
    "behavior_logprob": -0.7,
    "partial_group": True,
}
RECORD_MINIMAL = {
    "experiment_id": "exp",
    "task_id": "task",
    "group_id": "group",
    "episode_id": "episode",
    "step_index": 0,
    "advantage": -1.5,
    "episode_advantage": -1.5,
    "estimator": "grpo",
}

CASES = [
    ("StepEvent", STEP_FULL),
    ("StepEvent", STEP_MINIMAL),
    ("AdvantageRecord", RECORD_FULL),
    ("AdvantageRecord", RECORD_MINIMAL),
    (
        "AdvantageBatch",
        {
            "batch_id": "exp/group",
            "experiment_id": "exp",
            "min_policy_version": 1,
            "max_policy_version": 2,
            "created_time_ms": 1_700_000_000_000,
            "records": [RECORD_FULL, RECORD_MINIMAL],
            "split_group_id": "group",
            "split_part": 1,
            "split_parts": 3,
        },
    ),
    (
        "AdvantageBatch",
        {
            "batch_id": "b",
            "experiment_id": "exp",
            "min_policy_version": 0,
            "max_policy_version": 0,
            "records": [],
        },
    ),
    (
        "BudgetRequest",
        {
            "experiment_id": "exp",
            "round_id": "run-w0-round-1",
            "task_ids": ["a", "b", "c"],
            "total_budget": 24,
            "default_n": 8,
        },
    ),
    ("BudgetRequest", {"experiment_id": "exp", "round_id": "r", "task_ids": []}),
    (
        "BudgetAllocation",
        {
            "experiment_id": "exp",
            "round_id": "r",
            "task_id": "a",
            "rollouts": 0,
            "success_rate": 0.5,
            "value": 0.125,
            "error": "task_ids is empty",
        },
    ),
    ("BudgetAllocation", {"experiment_id": "exp", "round_id": "r", "task_id": "a", "rollouts": 12}),
    (
        "PolicySnapshot",
        {
            "experiment_id": "exp",
            "version": 41,
            "created_time_ms": 1_700_000_000_123,
            "artifact_uri": "file:///tmp/store/exp/policy-v41.params",
            "sha256": "ab" * 32,
            "metrics": {"loss": 0.5, "trained_policy_version": 40.0, "samples": 2048.0},
        },
    ),
    (
        "PolicySnapshot",
        {
            "experiment_id": "exp",
            "version": 0,
            "created_time_ms": 0,
            "artifact_uri": "file:///x",
            "sha256": "00",
        },
    ),
    (
        "DeadLetter",
        {
            "payload": bytes(range(256)),
            "topic": "agent.steps",
            "partition": 3,
            "offset": 2**40,
            "reason": "non-finite-number",
            "detail": "reward is NaN; it must be finite",
            "episode_id": "ep",
            "time_ms": 5,
            "payload_bytes": 123456,
        },
    ),
    ("DeadLetter", {"payload": b"", "reason": "malformed-bytes"}),
    (
        "Trajectory",
        {
            "experiment_id": "exp",
            "task_id": "t",
            "group_id": "g",
            "episode_id": "ep",
            "group_size": 2,
            "policy_version": 3,
            "first_event_time_ms": 7,
            "steps": [STEP_FULL, STEP_MINIMAL],
        },
    ),
    (
        "TrajectoryGroup",
        {
            "experiment_id": "exp",
            "task_id": "t",
            "group_id": "g",
            "expected_size": 2,
            "partial": True,
            "trajectories": [
                {
                    "experiment_id": "exp",
                    "task_id": "t",
                    "group_id": "g",
                    "episode_id": "ep",
                    "group_size": 2,
                    "policy_version": 3,
                    "steps": [STEP_MINIMAL],
                }
            ],
        },
    ),
]


def _java_view(value):
    """A Python value as Avro's Java toString() renders it and json.loads reads it back."""
    if isinstance(value, dict):
        return {k: _java_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_java_view(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


@pytest.fixture(scope="module")
def java_round_trip():
    """Each case's Python encoding, decoded and encoded again by the Java codec."""
    lines = []
    for name, record in CASES:
        full_name = codec(name).schema.fullname
        lines.append(f"{full_name} {base64.b64encode(codec(name).encode(record)).decode()}")
    # Plus payloads the Java codec must refuse.
    lines.append("io.creditstream.schemas.StepEvent " + base64.b64encode(b'{"json": 1}').decode())
    truncated = codec("StepEvent").encode(STEP_FULL)[:-3]
    lines.append("io.creditstream.schemas.StepEvent " + base64.b64encode(truncated).decode())
    result = subprocess.run(
        ["java", "-cp", str(all_jar()), str(ROOT / "python/tests/java/AvroBridge.java")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers = result.stdout.strip().split("\n")
    assert len(answers) == len(lines), result.stdout + result.stderr
    return answers


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_java_reads_python_bytes_and_writes_the_same_bytes(java_round_trip, index):
    name, record = CASES[index]
    python_bytes = codec(name).encode(record)
    class_name, fingerprint, java_base64, java_json = java_round_trip[index].split(" ", 3)
    assert fingerprint != "ERROR", java_round_trip[index]
    # The fingerprint Java computes from its generated class equals ours from the .avsc files.
    assert int(fingerprint, 16) == codec(name).fingerprint
    # Java decoded our bytes into the values we wrote...
    assert json.loads(java_json) == _java_view(_filled(name, record))
    # ...and its own encoding of them is byte for byte ours.
    java_bytes = base64.b64decode(java_base64)
    assert java_bytes == python_bytes
    # Python decodes Java's bytes back into the same record.
    assert codec(name).decode(java_bytes) == codec(name).decode(python_bytes)
    assert _bits(codec(name).decode(java_bytes)) == _bits(_filled(name, record))


def _filled(name, record):
    """The record with every default filled in, nested records' included."""
    return codec(name).decode(codec(name).encode(record))


def _bits(value):
    """Doubles by their bits, so that -0.0 and 0.0 differ."""
    if isinstance(value, float):
        return ("double", value.hex(), math.copysign(1.0, value))
    if isinstance(value, dict):
        return {k: _bits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bits(v) for v in value]
    return value


def test_java_refuses_what_is_not_a_record(java_round_trip):
    json_payload, truncated = java_round_trip[len(CASES) :]
    assert json_payload.split(" ", 2)[1] == "ERROR" and "bad marker" in json_payload
    assert truncated.split(" ", 2)[1] == "ERROR" and "truncated" in truncated


def test_fingerprints_are_crc64_avro_of_the_canonical_form():
    # The empty string's CRC-64-AVRO is the algorithm's seed (Avro specification).
    assert crc64_avro(b"") == 0xC15D213AA4D7A795
    # The fingerprint of the primitive schema "int" (Avro's own test vector).
    assert crc64_avro(b'"int"') == 0x7275D51A3F395C8F
    for name in schema_names():
        c = codec(name)
        assert c.header[:2] == b"\xc3\x01"
        assert int.from_bytes(c.header[2:], "little") == c.fingerprint


def test_every_schema_is_covered():
    covered = {codec(name).schema.fullname for name, _ in CASES}
    assert covered >= set(schema_names()) - {"io.creditstream.schemas.internal.RawStep"}


def test_decode_errors_say_why():
    step = codec("StepEvent")
    payload = step.encode(STEP_MINIMAL)
    cases = {
        "truncated": payload[:5],
        "bad-marker": b"{" + payload[1:],
        "unknown-schema": payload[:2] + bytes(8) + payload[10:],
        "malformed": payload + b"\x00",
    }
    for reason, bad in cases.items():
        with pytest.raises(RecordDecodeError) as raised:
            step.decode(bad)
        assert raised.value.reason == reason, str(raised.value)
    with pytest.raises(RecordDecodeError) as raised:
        step.decode(payload[:-1])
    assert raised.value.reason == "truncated"


def test_encode_errors_name_the_field():
    with pytest.raises(RecordEncodeError) as raised:
        codec("StepEvent").encode(dict(STEP_MINIMAL, group_size="eight"))
    assert raised.value.field == "group_size"
    with pytest.raises(RecordEncodeError) as raised:
        codec("StepEvent").encode({k: v for k, v in STEP_MINIMAL.items() if k != "episode_id"})
    assert raised.value.field == "episode_id"
    with pytest.raises(RecordEncodeError) as raised:
        codec("StepEvent").encode(dict(STEP_MINIMAL, rewards=1.0))
    assert raised.value.field == "rewards"

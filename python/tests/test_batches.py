"""The batch reader on its own topic, without the job: a group split into parts comes out whole,
acknowledgements commit only up to the oldest unacknowledged batch, and the torch view."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from confluent_kafka import Producer
from conftest import RESULT_TIMEOUT

from creditstream import BatchReader, codec


def _record(episode, step, advantage):
    return {
        "experiment_id": "exp",
        "task_id": "t",
        "group_id": "big",
        "episode_id": episode,
        "step_index": step,
        "policy_version": 3,
        "advantage": advantage,
        "episode_advantage": advantage,
        "estimator": "grpo",
        "behavior_logprob": None if step == 0 else -1.0,
    }


def _batch(batch_id, records, part=None, parts=None):
    return codec("AdvantageBatch").encode(
        {
            "batch_id": batch_id,
            "experiment_id": "exp",
            "min_policy_version": 3,
            "max_policy_version": 3,
            "records": records,
            "split_group_id": None if part is None else "big",
            "split_part": part,
            "split_parts": parts,
        }
    )


def _read(reader, count):
    batches = []
    deadline = time.monotonic() + RESULT_TIMEOUT
    while len(batches) < count:
        assert time.monotonic() < deadline, f"{len(batches)} of {count} batches"
        batch = reader.poll(0.5)
        if batch is not None:
            batches.append(batch)
    return batches


def test_split_groups_come_out_whole_and_acks_commit_in_order(stack):
    topic = f"py.batches.{uuid.uuid4().hex[:8]}"
    producer = Producer({"bootstrap.servers": stack.bootstrap, "enable.idempotence": True})
    # One partition (auto-created topics get the broker's default): a plain batch, a group in
    # three parts, another plain batch.
    payloads = [
        _batch("exp/a", [_record("a", 0, 1.0)]),
        _batch("exp/big", [_record("b", 0, 0.5), _record("b", 1, 0.25)], 0, 3),
        _batch("exp/big", [_record("c", 0, -0.5)], 1, 3),
        _batch("exp/big", [_record("d", 0, -0.25)], 2, 3),
        _batch("exp/z", [_record("z", 0, 2.0)]),
    ]
    for payload in payloads:
        producer.produce(topic, payload, b"exp/big")
    assert producer.flush(60) == 0
    group = f"py-split-{uuid.uuid4().hex[:8]}"
    with BatchReader(stack.bootstrap, group, topic=topic) as reader:
        first, whole, last = _read(reader, 3)
        assert [first.batch_id, whole.batch_id, last.batch_id] == ["exp/a", "exp/big", "exp/z"]
        assert list(whole.record_ids) == ["b#0", "b#1", "c#0", "d#0"]
        assert np.array_equal(whole.advantages, [0.5, 0.25, -0.5, -0.25])
        assert np.array_equal(whole.has_behavior_logprob, [False, True, False, False])
        assert np.isnan(whole.behavior_logprobs[0]) and whole.behavior_logprobs[1] == -1.0
        assert np.array_equal(whole.policy_versions, [3, 3, 3, 3])
        assert len(whole.sources) == 3
        # The last batch acknowledged before the split group commits nothing past the group.
        reader.ack(last)
        reader.ack(first)
    with BatchReader(stack.bootstrap, group, topic=topic) as reader:
        again = _read(reader, 2)
        assert [b.batch_id for b in again] == ["exp/big", "exp/z"]
        for batch in again:
            reader.ack(batch)
        with pytest.raises(ValueError, match="not outstanding"):
            reader.ack(again[0])


def test_torch_view():
    torch = pytest.importorskip("torch")
    from creditstream.batches import Batch
    from creditstream.torch_adapter import to_tensors

    decoded = codec("AdvantageBatch").decode(_batch("b", [_record("a", 0, 1.5), _record("a", 1, -1.0)]))
    batch = Batch.of("b", [decoded], [])
    tensors = to_tensors(batch, "cpu")
    assert tensors["advantages"].tolist() == [1.5, -1.0]
    assert tensors["has_behavior_logprob"].tolist() == [False, True]
    assert torch.isnan(tensors["behavior_logprobs"][0])


def test_torch_device_names_what_to_pass_when_cuda_is_missing():
    torch = pytest.importorskip("torch")
    from creditstream.torch_adapter import device

    assert device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="--device gpu: not a torch device; use cpu, cuda or cuda:N"):
        device("gpu")
    if torch.cuda.is_available():
        with pytest.raises(ValueError, match="there are .* CUDA devices"):
            device(f"cuda:{torch.cuda.device_count()}")
        return
    with pytest.raises(ValueError, match="--device cuda: .*use --device cpu"):
        device("cuda")
    # The trainer refuses before it connects to anything (no broker listens on port 1).
    trainer = Path(__file__).resolve().parents[2] / "examples" / "python_trainer.py"
    done = subprocess.run(
        [sys.executable, str(trainer), "--bootstrap", "127.0.0.1:1", "--store", "unused", "--device", "cuda"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error: --device cuda:" in done.stderr and "use --device cpu" in done.stderr

"""The Python client against the real thing: the launcher's broker (``kafka``) and job (``run``).

A Python fleet writes rollout groups; the Python reader gets exactly the advantages that
``creditstream estimate`` (the same Java kernels, offline) computes for the same steps; budget and
snapshot round trips; bad input raises before anything is sent, and the job dead-letters the same
steps with the same reason; a trainer killed before ``ack`` gets its batches again.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import textwrap
import time
import uuid

import numpy as np
import pytest
from confluent_kafka import Consumer, Producer
from conftest import RESULT_TIMEOUT, ROOT, java_command

from creditstream import (
    BatchReader,
    BudgetClient,
    BudgetRefused,
    DeliveryError,
    InvalidStepError,
    SnapshotIntegrityError,
    SnapshotPublisher,
    SnapshotRefusedError,
    SnapshotWatcher,
    StepWriter,
    codec,
    decode_policy_network,
    encode_policy_network,
    topics,
)
from creditstream.policy import feature_count

EXPERIMENT = "py-fleet"
ACTIONS = ["north", "south", "east", "west", "pick", "open"]


def fleet_steps(experiment, tasks, groups_per_task, group_size, seed):
    """Rollout groups as a small fleet would write them: episodes of 2-6 steps over a few shared
    states (so GiGPO finds anchor groups), half of them successful, episodes interleaved."""
    rng = random.Random(seed)
    episodes = []
    for task in range(tasks):
        for group in range(groups_per_task):
            group_id = f"{experiment}-t{task}-g{group}"
            for member in range(group_size):
                episode_id = f"{group_id}-e{member}"
                length = rng.randint(2, 6)
                success = rng.random() < 0.5
                episode = []
                for index in range(length):
                    state = f"s{rng.randint(0, 3)}"
                    done = index == length - 1
                    episode.append(
                        {
                            "experiment_id": experiment,
                            "task_id": f"task-{task}",
                            "group_id": group_id,
                            "episode_id": episode_id,
                            "step_index": index,
                            "policy_version": 0,
                            "state_key": state,
                            "observation": f"at {state}",
                            "action": rng.choice(ACTIONS),
                            "reward": 1.0 if done and success else 0.0,
                            "invalid_action": rng.random() < 0.1,
                            "done": done,
                            "episode_return": (1.0 if success else 0.0) if done else None,
                            "group_size": group_size,
                            "behavior_logprob": math.log(1 / 6) + rng.uniform(-0.1, 0.1),
                            "event_time_ms": 1_700_000_000_000 + index,
                        }
                    )
                episodes.append(episode)
    steps = []
    while episodes:
        episode = rng.choice(episodes)
        steps.append(episode.pop(0))
        if not episode:
            episodes.remove(episode)
    return steps


def read_records(stack, group_id, wanted, experiment):
    """Record id -> AdvantageRecord of ``experiment`` from learner.batches until every id in
    ``wanted`` was seen (each acknowledged), and the Batch arrays seen, as a fresh trainer reads."""
    records, arrays = {}, []
    deadline = time.monotonic() + RESULT_TIMEOUT
    with BatchReader(stack.bootstrap, group_id) as reader:
        while not wanted <= records.keys():
            stack.check_job()
            assert time.monotonic() < deadline, (
                f"{len(wanted - records.keys())} of {len(wanted)} records of {experiment} missing "
                f"after {RESULT_TIMEOUT} s"
            )
            batch = reader.poll(1.0)
            if batch is None:
                continue
            if batch.experiment_id == experiment:
                for record_id, record in zip(batch.record_ids, batch.records):
                    assert record_id not in records, f"{record_id} read twice"
                    records[record_id] = record
                arrays.append(batch)
            reader.ack(batch)
    return records, arrays


@pytest.fixture(scope="module")
def written(stack, tmp_path_factory):
    """The fleet's steps, written once; with the estimate of the same steps as JSON lines."""
    steps = fleet_steps(EXPERIMENT, tasks=3, groups_per_task=2, group_size=4, seed=7)
    with StepWriter(stack.bootstrap) as writer:
        for step in steps:
            writer.write(step)
    assert writer.acknowledged == len(steps)
    work = tmp_path_factory.mktemp("estimate")
    (work / "steps.jsonl").write_text("".join(json.dumps(s) + "\n" for s in steps))
    result = subprocess.run(
        java_command(
            "estimate",
            "--input",
            str(work / "steps.jsonl"),
            "--output",
            str(work / "advantages.jsonl"),
        ),
        capture_output=True,
        text=True,
        timeout=RESULT_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {}
    for line in (work / "advantages.jsonl").read_text().splitlines():
        record = json.loads(line)
        expected[f"{record['episode_id']}#{record['step_index']}"] = record
    assert len(expected) == len(steps)
    return steps, expected


def test_reader_gets_exactly_the_advantages_of_the_java_kernels(stack, written):
    steps, expected = written
    records, batches = read_records(stack, "trainer-advantages", set(expected), EXPERIMENT)
    assert records.keys() == expected.keys()
    for record_id, want in expected.items():
        got = records[record_id]
        for name in ("advantage", "episode_advantage", "step_advantage", "step_return"):
            assert got[name] == want[name], (record_id, name, got[name], want[name])
        assert got["anchor_group_size"] == want["anchor_group_size"]
        assert got["estimator"] == want["estimator"]
    # The numpy views line up with the records and with what the fleet sent.
    sent = {f"{s['episode_id']}#{s['step_index']}": s for s in steps}
    for batch in batches:
        assert len(batch.advantages) == len(batch.record_ids) == len(batch)
        assert batch.advantages.dtype == np.float64 and batch.policy_versions.dtype == np.int64
        for i, record_id in enumerate(batch.record_ids):
            assert batch.advantages[i] == expected[record_id]["advantage"]
            assert batch.behavior_logprobs[i] == sent[record_id]["behavior_logprob"]
            assert batch.has_behavior_logprob[i]
            assert batch.policy_versions[i] == 0
            assert batch.step_indices[i] == sent[record_id]["step_index"]
            assert batch.actions[i] == sent[record_id]["action"]


def test_a_trainer_killed_before_ack_gets_its_batches_again(stack, written):
    _steps, expected = written
    group = "trainer-crash"
    # A trainer that acknowledges the first batch of the experiment, reads one more, and dies.
    script = textwrap.dedent(
        f"""
        import json, os, signal, sys
        sys.path.insert(0, {str(ROOT / "python")!r})
        from creditstream import BatchReader
        reader = BatchReader({stack.bootstrap!r}, {group!r},
                             consumer_config={{"session.timeout.ms": 6000}})
        acked, held = [], []
        while len(held) < 1:
            batch = reader.poll(1.0)
            if batch is None:
                continue
            if batch.experiment_id != {EXPERIMENT!r}:
                reader.ack(batch)
            elif not acked:
                reader.ack(batch)
                acked.extend(batch.record_ids)
            else:
                held.extend(batch.record_ids)
        print(json.dumps({{"acked": list(acked), "held": list(held)}}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    crashed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=RESULT_TIMEOUT
    )
    assert crashed.returncode == -9, crashed.stderr
    seen = json.loads(crashed.stdout)
    assert seen["acked"] and seen["held"]
    # The next trainer of the group gets everything but the acknowledged batch, once.
    replayed = {}
    deadline = time.monotonic() + RESULT_TIMEOUT
    wanted = set(expected) - set(seen["acked"])
    with BatchReader(
        stack.bootstrap, group, consumer_config={"session.timeout.ms": 6000}
    ) as reader:
        while not wanted <= replayed.keys():
            assert time.monotonic() < deadline, f"{len(wanted - replayed.keys())} records not replayed"
            batch = reader.poll(1.0)
            if batch is None:
                continue
            if batch.experiment_id == EXPERIMENT:
                for record_id in batch.record_ids:
                    assert record_id not in seen["acked"], f"acknowledged {record_id} came back"
                    assert record_id not in replayed, f"{record_id} replayed twice"
                    replayed[record_id] = True
            reader.ack(batch)
    assert set(seen["held"]) <= replayed.keys()


def test_budget_round_trip(stack, written):
    # The groups have reached the batches (the first test waited), so their tasks have statistics.
    read_records(stack, "trainer-budget", set(written[1]), EXPERIMENT)
    tasks = ["task-0", "task-1", "task-2", "task-new"]
    with BudgetClient(
        stack.bootstrap, EXPERIMENT, f"py-{uuid.uuid4().hex[:8]}", tasks, round_size=4, n=8, timeout=60
    ) as client:
        answer = client.request("py-round-1", tasks, total_budget=32, default_n=8)
        assert list(answer) == tasks
        assert sum(answer.values()) == 32
        assert all(rollouts >= 0 for rollouts in answer.values())
        with pytest.raises(BudgetRefused, match="task_ids"):
            client.request("py-round-empty", [])
        round_ = client.next_round()
        assert not round_.fallback, round_.reason
        assert sorted(round_.rollouts) == sorted(tasks) and sum(round_.rollouts.values()) == 32
    # A round nobody answers falls back to n rollouts a task, and says so.
    with BudgetClient(
        stack.bootstrap,
        EXPERIMENT,
        "py-unanswered",
        tasks,
        round_size=2,
        n=5,
        timeout=2,
        requests_topic="nobody.reads.this",
    ) as client:
        round_ = client.next_round()
        assert round_.fallback and round_.reason
        assert round_.rollouts == {"task-0": 5, "task-1": 5}
        assert client.fallbacks == 1


def _weights(seed, rows=3, cols=5, hidden=8):
    rng = np.random.default_rng(seed)
    inputs = feature_count(rows, cols)
    return {
        "hidden1.weight": rng.standard_normal((hidden, inputs), dtype=np.float32),
        "hidden1.bias": rng.standard_normal(hidden, dtype=np.float32),
        "hidden2.weight": rng.standard_normal((hidden, hidden), dtype=np.float32),
        "hidden2.bias": rng.standard_normal(hidden, dtype=np.float32),
        "logits.weight": rng.standard_normal((len(ACTIONS), hidden), dtype=np.float32),
        "logits.bias": rng.standard_normal(len(ACTIONS), dtype=np.float32),
    }


def test_snapshot_round_trip(stack, tmp_path):
    experiment = "py-snapshots"
    store = tmp_path / "store"
    with SnapshotPublisher(stack.bootstrap, store, experiment) as publisher, SnapshotWatcher(
        stack.bootstrap, experiment, store=store
    ) as watcher:
        blobs = [encode_policy_network(3, 5, "tanh", ACTIONS, _weights(v)) for v in range(3)]
        first = publisher.publish(0, blobs[0], {topics.TRAINED_POLICY_VERSION: -1.0})
        assert first["artifact_uri"] == (store / experiment / "policy-v0.params").resolve().as_uri()
        publisher.publish(1, blobs[1], {topics.TRAINED_POLICY_VERSION: 0.0, topics.LOSS: 0.5})
        newest = watcher.wait_for(1, timeout=RESULT_TIMEOUT)
        assert newest.version == 1 and newest.data == blobs[1]
        assert newest.metrics == {topics.TRAINED_POLICY_VERSION: 0.0, topics.LOSS: 0.5}
        spec, weights = decode_policy_network(newest.data)
        assert spec["actions"] == ACTIONS and spec["activation"] == "TANH" and spec["hidden"] == 8
        for name, array in _weights(1).items():
            assert np.array_equal(weights[name], array)
        # Versions are immutable: the same bytes again are fine, other bytes are refused.
        publisher.publish(1, blobs[1])
        with pytest.raises(FileExistsError):
            publisher.publish(1, blobs[2])
        # An artifact changed after publication is refused by the watcher.
        record = publisher.publish(2, blobs[2])
        os.chmod(store / experiment / "policy-v2.params", 0o644)
        (store / experiment / "policy-v2.params").write_bytes(blobs[0])
        deadline = time.monotonic() + RESULT_TIMEOUT
        with pytest.raises(SnapshotIntegrityError, match="sha256"):
            while time.monotonic() < deadline:
                watcher.poll(0.5)
        assert watcher.latest.version == 1
        assert record["sha256"] != watcher.latest.record["sha256"]


BAD_STEPS = [
    ("experiment_id", "missing-id", {"experiment_id": "  "}),
    ("task_id", "missing-id", {"task_id": ""}),
    ("group_id", "invalid-id", {"group_id": "g" * 257}),
    ("episode_id", "invalid-id", {"episode_id": "ep\x07"}),
    ("episode_id", "invalid-id", {"episode_id": "ep\x85"}),
    # 129 characters beyond the BMP: 258 UTF-16 units, which is what the job counts.
    ("task_id", "invalid-id", {"task_id": "\U0001f600" * 129}),
    ("step_index", "negative-step-index", {"step_index": -1}),
    ("group_size", "invalid-group-size", {"group_size": 0}),
    ("group_size", "invalid-group-size", {"group_size": 1025}),
    ("policy_version", "invalid-policy-version", {"policy_version": -1}),
    ("policy_version", "invalid-policy-version", {"policy_version": 2**53 + 1}),
    ("reward", "non-finite-number", {"reward": float("nan")}),
    ("episode_return", "non-finite-number", {"episode_return": float("inf")}),
    ("behavior_logprob", "non-finite-number", {"behavior_logprob": float("-inf")}),
    ("prm_logprob", "non-finite-number", {"prm_logprob": float("nan")}),
    ("ref_logprob", "non-finite-number", {"ref_logprob": float("inf")}),
    ("answer_prob", "non-finite-number", {"answer_prob": float("nan")}),
    ("process_score", "non-finite-number", {"process_score": float("nan")}),
    ("process_score", "out-of-range-number", {"process_score": 1.5}),
    ("token_count", "out-of-range-number", {"token_count": -1}),
]


def test_forged_snapshots_neither_stall_the_watcher_nor_make_it_read_outside_the_store(
    stack, tmp_path
):
    """The attacks of issue 12 on a Python fleet: a version of 2^62 and one 5,000 ahead are ignored
    and counted, later real versions are taken; an artifact outside the store is not read."""
    experiment = "py-forged-snapshots"
    store = tmp_path / "store"
    blobs = [encode_policy_network(3, 5, "tanh", ACTIONS, _weights(v)) for v in range(2)]
    snapshot_codec = codec("PolicySnapshot")
    forger = Producer({"bootstrap.servers": stack.bootstrap})

    def forge(version, uri="file:///etc/passwd"):
        forged = {
            "experiment_id": experiment,
            "version": version,
            "created_time_ms": 0,
            "artifact_uri": uri,
            "sha256": "00" * 32,
            "artifact_size": None,
            "metrics": {},
        }
        forger.produce(topics.SNAPSHOTS, snapshot_codec.encode(forged), experiment.encode())
        assert forger.flush(RESULT_TIMEOUT) == 0

    with SnapshotPublisher(stack.bootstrap, store, experiment) as publisher, SnapshotWatcher(
        stack.bootstrap, experiment, store=store
    ) as watcher:
        publisher.publish(0, blobs[0])
        forge(2**62)
        forge(5_000)
        publisher.publish(1, blobs[1])
        newest = watcher.wait_for(1, timeout=RESULT_TIMEOUT)
        assert newest.data == blobs[1]
        assert watcher.refused == 2
        assert watcher.refusals == {"version-out-of-range": 1, "version-jump": 1}
        # Within the bound, unsigned (no key here): believed, but its file is outside the store.
        forge(2)
        deadline = time.monotonic() + RESULT_TIMEOUT
        with pytest.raises(SnapshotRefusedError, match="outside the snapshot store"):
            while time.monotonic() < deadline:
                watcher.poll(0.5)
        assert watcher.latest.version == 1 and watcher.newest_believed == 2


def test_undeliverable_steps_raise_on_flush():
    # No broker listens on port 1: the step times out in the producer and flush says so.
    writer = StepWriter("127.0.0.1:1", producer_config={"message.timeout.ms": 1000})
    writer.write(_good_step("undeliverable"))
    with pytest.raises(DeliveryError, match="1 of 1 steps were not delivered"):
        writer.flush(30)


def _good_step(episode):
    return {
        "experiment_id": "py-bad",
        "task_id": "t",
        "group_id": f"g-{episode}",
        "episode_id": episode,
        "step_index": 0,
        "group_size": 2,
        "done": True,
        "reward": 1.0,
    }


def test_bad_steps_raise_before_sending_and_the_job_dead_letters_them_alike(stack):
    # Each bad step raises, naming the field, and nothing reaches the topic.
    with StepWriter(stack.bootstrap) as writer:
        for field, reason, change in BAD_STEPS:
            with pytest.raises(InvalidStepError) as raised:
                writer.write(dict(_good_step(f"bad-{field}"), **change))
            assert raised.value.field == field and raised.value.reason == reason
            assert field in str(raised.value)
        for field, value in [
            ("step_index", "0"),
            ("done", 1),
            ("reward", "1.0"),
            ("action", 3),
            ("token_count", 1.5),
        ]:
            with pytest.raises(InvalidStepError) as raised:
                writer.write(dict(_good_step("typed"), **{field: value}))
            assert raised.value.field == field and raised.value.reason == "wrong-type"
        with pytest.raises(InvalidStepError) as raised:
            writer.write(dict(_good_step("big"), observation="x" * (900 * 1024)))
        assert raised.value.reason == "oversize-payload"
        assert writer.sent == 0
    # The same steps sent raw (bypassing the writer) are dead-lettered by the job with the same
    # reason each.
    step_codec = codec("StepEvent")
    payloads = {}
    producer = Producer({"bootstrap.servers": stack.bootstrap, "acks": "all"})
    for field, reason, change in BAD_STEPS:
        payload = step_codec.encode(dict(_good_step(f"raw-{field}-{reason}"), **change))
        payloads[payload] = (field, reason)
        producer.produce(topics.STEPS, payload)
    assert producer.flush(60) == 0
    letters = codec("DeadLetter")
    consumer = Consumer(
        {
            "bootstrap.servers": stack.bootstrap,
            "group.id": "py-dlq-reader",
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topics.DEAD_LETTERS])
    found = {}
    deadline = time.monotonic() + RESULT_TIMEOUT
    try:
        while len(found) < len(payloads):
            stack.check_job()
            assert time.monotonic() < deadline, f"dead letters {found} of {len(payloads)}"
            message = consumer.poll(1.0)
            if message is None or message.error() is not None:
                continue
            letter = letters.decode(message.value())
            if letter["payload"] in payloads:
                found[letter["payload"]] = letter["reason"]
    finally:
        consumer.close()
    for payload, (field, reason) in payloads.items():
        assert found[payload] == reason, field


def test_the_python_closed_loop_learns_the_maze(stack, tmp_path):
    """examples/python_fleet.py and examples/python_trainer.py (PyTorch) with the job in between:
    the fleet's success rate over 200 episodes reaches 50% (a random policy: about 2%)."""
    pytest.importorskip("torch")
    examples = ROOT / "examples"
    common = ["--bootstrap", stack.bootstrap, "--experiment", "py-loop"]
    trainer_log = open(tmp_path / "trainer.log", "w")
    trainer = subprocess.Popen(
        [sys.executable, str(examples / "python_trainer.py"), *common, "--store", str(tmp_path / "store")],
        stdout=trainer_log,
        stderr=subprocess.STDOUT,
    )
    try:
        fleet = subprocess.run(
            [
                sys.executable,
                str(examples / "python_fleet.py"),
                *common,
                "--store",
                str(tmp_path / "store"),
                "--episodes",
                "4000",
                "--stop-at-success",
                "0.5",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert trainer.poll() is None, (tmp_path / "trainer.log").read_text()
    finally:
        trainer.kill()
        trainer.wait(30)
        trainer_log.close()
    assert fleet.returncode == 0, fleet.stdout + fleet.stderr
    assert "reached" in fleet.stdout, fleet.stdout + (tmp_path / "trainer.log").read_text()[-3000:]


def test_a_group_the_job_splits_across_batches_comes_out_whole(stack):
    # 12 steps of ~30 kB: more than the session job's batch.max-bytes (200 kB) in one group.
    steps = fleet_steps("py-split", tasks=1, groups_per_task=1, group_size=4, seed=3)
    for i, step in enumerate(steps):
        step["observation"] = f"{i} " + "x" * 30_000
    with StepWriter(stack.bootstrap, max_record_bytes=100_000) as writer:
        for step in steps:
            writer.write(step)
    wanted = {f"{s['episode_id']}#{s['step_index']}" for s in steps}
    _records, batches = read_records(stack, "trainer-split", wanted, "py-split")
    assert len(batches) == 1, [b.batch_id for b in batches]
    whole = batches[0]
    assert len(whole.sources) > 1, "the job did not split the group"
    assert set(whole.record_ids) == wanted and len(whole) == len(wanted)
    assert len(set(whole.group_ids)) == 1

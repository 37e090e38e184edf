"""The trainer's side of ``learner.batches``: read the job's AdvantageBatches ``read_committed`` as
numpy arrays, and commit offsets only for batches the caller acknowledges, so that a trainer that
crashes before ``ack`` reads the same batches again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from . import topics
from .codec import codec
from .security import kafka_security, secured


_TRANSIENT = (
    KafkaError._PARTITION_EOF,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
    KafkaError._UNKNOWN_TOPIC,
    KafkaError._UNKNOWN_PARTITION,
)


@dataclass
class Batch:
    """One AdvantageBatch, or every part of a group the job split across batches joined into one
    (with the first part's ``batch_id``).

    The arrays are aligned, one entry per AdvantageRecord in the job's order. ``record_ids`` are
    ``<episode_id>#<step_index>``. ``behavior_logprobs`` is NaN where the fleet sent none
    (``has_behavior_logprob`` False). ``records`` keeps the decoded records (dicts) for anything
    else: observations, actions, the advantage's components.
    """

    batch_id: str
    experiment_id: str
    min_policy_version: int
    max_policy_version: int
    records: List[Dict[str, Any]]
    record_ids: np.ndarray
    episode_ids: np.ndarray
    group_ids: np.ndarray
    task_ids: np.ndarray
    step_indices: np.ndarray
    advantages: np.ndarray
    behavior_logprobs: np.ndarray
    has_behavior_logprob: np.ndarray
    policy_versions: np.ndarray
    partial_group: np.ndarray
    observations: List[Optional[str]]
    actions: List[Optional[str]]
    #: The Kafka messages it came from: (topic, partition, offset) of each part.
    sources: List[Tuple[str, int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    @staticmethod
    def of(batch_id: str, parts: List[Mapping[str, Any]], sources) -> "Batch":
        records = [record for part in parts for record in part["records"]]
        logprobs = [r["behavior_logprob"] for r in records]
        return Batch(
            batch_id=batch_id,
            experiment_id=parts[0]["experiment_id"],
            min_policy_version=min(p["min_policy_version"] for p in parts),
            max_policy_version=max(p["max_policy_version"] for p in parts),
            records=records,
            record_ids=np.array(
                [f"{r['episode_id']}#{r['step_index']}" for r in records], dtype=object
            ),
            episode_ids=np.array([r["episode_id"] for r in records], dtype=object),
            group_ids=np.array([r["group_id"] for r in records], dtype=object),
            task_ids=np.array([r["task_id"] for r in records], dtype=object),
            step_indices=np.array([r["step_index"] for r in records], dtype=np.int32),
            advantages=np.array([r["advantage"] for r in records], dtype=np.float64),
            behavior_logprobs=np.array(
                [np.nan if v is None else v for v in logprobs], dtype=np.float64
            ),
            has_behavior_logprob=np.array([v is not None for v in logprobs], dtype=bool),
            policy_versions=np.array([r["policy_version"] for r in records], dtype=np.int64),
            partial_group=np.array([r["partial_group"] for r in records], dtype=bool),
            observations=[r["observation"] for r in records],
            actions=[r["action"] for r in records],
            sources=list(sources),
        )


class SplitGroupError(RuntimeError):
    """The parts of a split group did not arrive as the job writes them (consecutively, in order,
    in one partition)."""


class BatchReader:
    """Reads AdvantageBatches from ``learner.batches`` in a consumer group, ``read_committed``.

    ``poll`` returns the next Batch (None when none arrived in time); a group the job split into
    parts (``split_group_id``) is returned once, whole, when its last part arrives. Offsets are
    committed only by ``ack``, and only up to the oldest batch not yet acknowledged in each
    partition, so a trainer that crashes (or closes) before acknowledging a batch gets it again
    from the next reader of the same group. Not thread-safe.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topic: str = topics.BATCHES,
        consumer_config: Optional[Mapping[str, Any]] = None,
        security: Any = None,
    ):
        self.topic = topic
        self._codec = codec("AdvantageBatch")
        config = {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group_id,
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
        }
        config.update(consumer_config or {})
        self._consumer = Consumer(secured(config, kafka_security(security)))
        # Per partition: [next offset, acknowledged] of each batch handed out and not committed.
        self._outstanding: Dict[int, List[List[Any]]] = {}
        self._splits: Dict[int, Tuple[List[Mapping[str, Any]], List[Tuple[str, int, int]]]] = {}
        self._consumer.subscribe([topic], on_revoke=self._on_revoke)
        self.committed_batches = 0

    def _on_revoke(self, _consumer, partitions) -> None:
        # Whatever was not acknowledged goes back to the group; forget it here.
        for tp in partitions:
            self._outstanding.pop(tp.partition, None)
            self._splits.pop(tp.partition, None)

    def poll(self, timeout: float = 1.0) -> Optional[Batch]:
        """The next whole batch, or None if none arrived within ``timeout`` seconds."""
        message = self._consumer.poll(timeout)
        while message is not None:
            error = message.error()
            if error is not None:
                # A topic not created yet (the job creates it at start) is worth waiting for.
                if error.code() not in _TRANSIENT:
                    raise KafkaException(error)
            else:
                batch = self._accept(message)
                if batch is not None:
                    return batch
            message = self._consumer.poll(min(timeout, 0.1))
        return None

    def _accept(self, message) -> Optional[Batch]:
        value = self._codec.decode(message.value())
        partition = message.partition()
        source = (message.topic(), partition, message.offset())
        split_id = value["split_group_id"]
        pending = self._splits.get(partition)
        if split_id is None:
            if pending is not None:
                raise SplitGroupError(
                    f"batch {value['batch_id']} at {source} interrupts split group "
                    f"{pending[0][0]['split_group_id']} after {len(pending[0])} parts"
                )
            return self._hand_out(Batch.of(value["batch_id"], [value], [source]), message)
        part, parts = value["split_part"], value["split_parts"]
        if pending is None:
            if part != 0:
                raise SplitGroupError(
                    f"part {part} of split group {split_id} at {source} arrived without part 0"
                )
            pending = ([], [])
            self._splits[partition] = pending
        elif pending[0][0]["split_group_id"] != split_id or part != len(pending[0]):
            raise SplitGroupError(
                f"part {part} of split group {split_id} at {source} does not follow part "
                f"{len(pending[0]) - 1} of {pending[0][0]['split_group_id']}"
            )
        pending[0].append(value)
        pending[1].append(source)
        if part + 1 < parts:
            return None
        del self._splits[partition]
        return self._hand_out(Batch.of(pending[0][0]["batch_id"], pending[0], pending[1]), message)

    def _hand_out(self, batch: Batch, last_message) -> Batch:
        self._outstanding.setdefault(last_message.partition(), []).append(
            [last_message.offset() + 1, False, batch]
        )
        return batch

    def __iter__(self) -> Iterator[Batch]:
        """Batches forever (until the caller stops); ``ack`` each after training on it."""
        while True:
            batch = self.poll(1.0)
            if batch is not None:
                yield batch

    def ack(self, batch: Batch) -> None:
        """Marks ``batch`` as trained on and commits, synchronously, every partition's offset past
        the batches acknowledged so far with none unacknowledged before them."""
        topic, partition, _ = batch.sources[-1]
        entries = self._outstanding.get(partition, [])
        for entry in entries:
            if entry[2] is batch:
                entry[1] = True
                break
        else:
            raise ValueError(
                f"batch {batch.batch_id} is not outstanding on this reader (acknowledged twice, or "
                "its partition was reassigned)"
            )
        commit_to = None
        while entries and entries[0][1]:
            commit_to = entries.pop(0)[0]
            self.committed_batches += 1
        if commit_to is not None:
            self._consumer.commit(
                offsets=[TopicPartition(topic, partition, commit_to)], asynchronous=False
            )

    def close(self) -> None:
        """Leaves the group without committing anything more."""
        self._consumer.close()

    def __enter__(self) -> "BatchReader":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

"""Python client for creditstream: fleets write steps, ask for rollout budgets and follow policy
snapshots; trainers read advantage batches and publish snapshots. Same Kafka topics, same Avro
records (from the repository's .avsc files) and same single-object encoding as the Java side."""

from . import topics
from .batches import Batch, BatchReader, SplitGroupError
from .budget import BudgetClient, BudgetRefused, BudgetTimeout, Round
from .codec import Codec, RecordDecodeError, RecordEncodeError, codec, crc64_avro
from .snapshots import (
    SnapshotIntegrityError,
    SnapshotPublisher,
    SnapshotRefusedError,
    SnapshotWatcher,
    VerifiedSnapshot,
    decode_policy_network,
    encode_policy_network,
)
from .security import KafkaSecurity, kafka_security
from .steps import DeliveryError, InvalidStepError, StepWriter, validate_step

__all__ = [
    "Batch",
    "BatchReader",
    "BudgetClient",
    "BudgetRefused",
    "BudgetTimeout",
    "Codec",
    "DeliveryError",
    "InvalidStepError",
    "KafkaSecurity",
    "RecordDecodeError",
    "RecordEncodeError",
    "Round",
    "SnapshotIntegrityError",
    "SnapshotPublisher",
    "SnapshotRefusedError",
    "SnapshotWatcher",
    "SplitGroupError",
    "StepWriter",
    "VerifiedSnapshot",
    "codec",
    "crc64_avro",
    "decode_policy_network",
    "encode_policy_network",
    "kafka_security",
    "topics",
    "validate_step",
]

"""The fleet's side of ``agent.steps``: validate each step as the job does, then write it keyed by
its episode through an idempotent producer."""

from __future__ import annotations

import math
import numbers
import time
import unicodedata
from typing import Any, Dict, List, Mapping, Optional

from confluent_kafka import KafkaError, Producer

from . import topics
from .codec import RecordEncodeError, codec
from .security import kafka_security, secured

#: The job's defaults: ``input.max-id-length``, ``assembly.max-group-size``,
#: ``input.max-record-bytes``. A job run with other values needs the same ones here.
DEFAULT_MAX_ID_LENGTH = 256
DEFAULT_MAX_GROUP_SIZE = 1024
DEFAULT_MAX_RECORD_BYTES = 900 * 1024
#: The largest policy version the job accepts: 2^53.
MAX_POLICY_VERSION = 1 << 53

_IDS = ("experiment_id", "task_id", "group_id", "episode_id")
_INTS = {"step_index": 32, "group_size": 32, "policy_version": 64, "event_time_ms": 64}
_DOUBLES = ("reward",)
_OPTIONAL_DOUBLES = (
    "episode_return",
    "behavior_logprob",
    "prm_logprob",
    "ref_logprob",
    "answer_prob",
    "process_score",
)
_OPTIONAL_STRINGS = ("state_key", "observation", "action")
_BOOLEANS = ("invalid_action", "done")


class InvalidStepError(ValueError):
    """A step the job would dead-letter (or that cannot be encoded at all), raised before anything
    is sent. ``field`` names the offending field, ``reason`` is the job's dead-letter reason code
    (``missing-id``, ``invalid-id``, ``negative-step-index``, ``invalid-group-size``,
    ``invalid-policy-version``, ``non-finite-number``, ``oversize-payload``) or ``wrong-type``."""

    def __init__(self, field: str, reason: str, detail: str):
        super().__init__(f"invalid step: {detail} ({reason})")
        self.field = field
        self.reason = reason
        self.detail = detail


class DeliveryError(RuntimeError):
    """Steps the broker did not acknowledge; ``errors`` holds the first few Kafka errors."""

    def __init__(self, message: str, errors: List[KafkaError]):
        super().__init__(message)
        self.errors = errors


def _java_whitespace(ch: str) -> bool:
    # Character.isWhitespace: space separators except the no-break ones, line and paragraph
    # separators, and the ASCII controls \t \n \v \f \r and U+001C..U+001F.
    if ch in "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f":
        return True
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp") and ch not in "\u00a0\u2007\u202f"


def _java_length(text: str) -> int:
    # String.length() counts UTF-16 code units: a character beyond the BMP counts twice.
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def validate_step(
    step: Mapping[str, Any],
    max_id_length: int = DEFAULT_MAX_ID_LENGTH,
    max_group_size: int = DEFAULT_MAX_GROUP_SIZE,
) -> Dict[str, Any]:
    """The step as a complete StepEvent dict (defaults filled in, numbers as Python ints and
    floats), checked by the job's rules in the job's order: ids present, ids short and printable,
    step index, group size, policy version, finite numbers.

    Raises InvalidStepError naming the first field that breaks a rule.
    """
    try:
        full = codec("StepEvent").with_defaults(step)
    except RecordEncodeError as e:
        raise InvalidStepError(e.field or "?", "wrong-type", str(e)) from None
    for name in _IDS:
        value = full[name]
        if value is not None and not isinstance(value, str):
            raise InvalidStepError(name, "wrong-type", f"{name} is {value!r}; it must be a string")
        if value is None or all(_java_whitespace(ch) for ch in value):
            raise InvalidStepError(name, "missing-id", f"{name} is missing or blank")
    for name in _IDS:
        value = full[name]
        if _java_length(value) > max_id_length:
            raise InvalidStepError(
                name,
                "invalid-id",
                f"{name} is {_java_length(value)} characters long; input.max-id-length is "
                f"{max_id_length}",
            )
        for position, ch in enumerate(value):
            if ord(ch) <= 0x1F or 0x7F <= ord(ch) <= 0x9F:
                raise InvalidStepError(
                    name,
                    "invalid-id",
                    f"{name} holds the control character U+{ord(ch):04X} at position {position}",
                )
    for name, bits in _INTS.items():
        value = full[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise InvalidStepError(name, "wrong-type", f"{name} is {value!r}; it must be an integer")
        value = int(value)
        if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            raise InvalidStepError(name, "wrong-type", f"{name} is {value}; it must fit {bits} bits")
        full[name] = value
    token_count = full.get("token_count")
    if token_count is not None:
        if isinstance(token_count, bool) or not isinstance(token_count, numbers.Integral):
            raise InvalidStepError(
                "token_count", "wrong-type", f"token_count is {token_count!r}; it must be an integer or None"
            )
        if not -(1 << 31) <= int(token_count) < (1 << 31):
            raise InvalidStepError("token_count", "wrong-type", f"token_count is {token_count}; it must fit 32 bits")
        full["token_count"] = int(token_count)
    for name in _BOOLEANS:
        value = full[name]
        if not isinstance(value, bool) and type(value).__name__ != "bool_":
            raise InvalidStepError(name, "wrong-type", f"{name} is {value!r}; it must be a bool")
        full[name] = bool(value)
    for name in _OPTIONAL_STRINGS:
        value = full[name]
        if value is not None and not isinstance(value, str):
            raise InvalidStepError(name, "wrong-type", f"{name} is {value!r}; it must be a string or None")
    for name in _DOUBLES + _OPTIONAL_DOUBLES:
        value = full[name]
        if value is None and name in _OPTIONAL_DOUBLES:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidStepError(name, "wrong-type", f"{name} is {value!r}; it must be a number")
        full[name] = float(value)
    if full["step_index"] < 0:
        raise InvalidStepError(
            "step_index",
            "negative-step-index",
            f"step_index is {full['step_index']}; it must be 0 or more",
        )
    if not 1 <= full["group_size"] <= max_group_size:
        raise InvalidStepError(
            "group_size",
            "invalid-group-size",
            f"group_size is {full['group_size']}; it must be between 1 and "
            f"assembly.max-group-size={max_group_size}",
        )
    if not 0 <= full["policy_version"] <= MAX_POLICY_VERSION:
        raise InvalidStepError(
            "policy_version",
            "invalid-policy-version",
            f"policy_version is {full['policy_version']}; it must be between 0 and 2^53",
        )
    for name in _DOUBLES + _OPTIONAL_DOUBLES:
        value = full[name]
        if value is not None and not math.isfinite(value):
            raise InvalidStepError(name, "non-finite-number", f"{name} is {value}; it must be finite")
    # The job's range checks, after the finiteness ones as there.
    if full.get("process_score") is not None and not -1.0 <= full["process_score"] <= 1.0:
        raise InvalidStepError(
            "process_score",
            "out-of-range-number",
            f"process_score is {full['process_score']}; it must be between -1 and 1",
        )
    if full.get("token_count") is not None and full["token_count"] < 0:
        raise InvalidStepError(
            "token_count", "out-of-range-number", f"token_count is {full['token_count']}; it must be 0 or more"
        )
    return full


class StepWriter:
    """Writes StepEvents to ``agent.steps``, keyed by episode id so that an episode's steps stay in
    order on one partition, through an idempotent producer (``acks=all``): a retried send never
    duplicates or reorders a step.

    ``write`` validates first and raises InvalidStepError before anything is sent; delivery is
    asynchronous, and ``flush`` waits for every acknowledgement and raises DeliveryError if the
    broker refused any step. Use it as a context manager, or call ``close``. Not thread-safe: give
    each thread its own writer.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str = topics.STEPS,
        max_id_length: int = DEFAULT_MAX_ID_LENGTH,
        max_group_size: int = DEFAULT_MAX_GROUP_SIZE,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        producer_config: Optional[Mapping[str, Any]] = None,
        security: Any = None,
    ):
        self.topic = topic
        self._max_id_length = max_id_length
        self._max_group_size = max_group_size
        self._max_record_bytes = max_record_bytes
        self._codec = codec("StepEvent")
        config = {
            "bootstrap.servers": bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            # One request in flight: with more, a broker that refuses the first request to a
            # partition it has just created and takes a later one then refuses every retry of the
            # first as out of order, and its steps are lost (KAFKA-15591).
            "max.in.flight.requests.per.connection": 1,
        }
        config.update(producer_config or {})
        self._producer = Producer(secured(config, kafka_security(security)))
        self._errors: List[KafkaError] = []
        self._failed = 0
        self.sent = 0
        self.acknowledged = 0
        self._closed = False

    def _on_delivery(self, error, _message):
        if error is None:
            self.acknowledged += 1
        else:
            self._failed += 1
            if len(self._errors) < 10:
                self._errors.append(error)

    def write(self, step: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Validates and sends one step, given as a dict and/or keyword fields; returns the full
        StepEvent sent. ``event_time_ms`` defaults to now."""
        if self._closed:
            raise RuntimeError("this StepWriter is closed")
        merged = dict(step or {})
        merged.update(fields)
        merged.setdefault("event_time_ms", int(time.time() * 1000))
        full = validate_step(merged, self._max_id_length, self._max_group_size)
        payload = self._codec.encode(full)
        if len(payload) > self._max_record_bytes:
            raise InvalidStepError(
                "observation",
                "oversize-payload",
                f"{len(payload)} bytes exceeds input.max-record-bytes={self._max_record_bytes}",
            )
        key = full["episode_id"].encode("utf-8")
        while True:
            try:
                self._producer.produce(self.topic, payload, key, on_delivery=self._on_delivery)
                break
            except BufferError:
                self._producer.poll(0.1)  # the local queue is full: deliver, then retry
        self.sent += 1
        self._producer.poll(0)
        return full

    def flush(self, timeout: float = 60.0) -> None:
        """Waits until the broker acknowledged every step written so far.

        Raises DeliveryError if a step failed, TimeoutError if some are still unacknowledged after
        ``timeout`` seconds.
        """
        left = self._producer.flush(timeout)
        if self._failed:
            raise DeliveryError(
                f"{self._failed} of {self.sent} steps were not delivered to {self.topic}: "
                f"{self._errors[0]}",
                list(self._errors),
            )
        if left:
            raise TimeoutError(
                f"{left} steps still unacknowledged after {timeout} s on {self.topic}"
            )

    def close(self, timeout: float = 60.0) -> None:
        """Flushes; the writer cannot be used afterwards."""
        if self._closed:
            return
        self._closed = True
        self.flush(timeout)

    def __enter__(self) -> "StepWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            # Deliver what was written, but let the caller's exception through.
            self._closed = True
            self._producer.flush(10.0)

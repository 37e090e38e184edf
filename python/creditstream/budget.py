"""The fleet scheduler's side of knapsack budgets, as the Java fleet's BudgetClient does it: ask
the job for a round on ``rollout.requests``, wait for its answers on ``rollout.budget``, and fall
back to uniform budgets when the job does not answer in time or answers with an error."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from confluent_kafka import Consumer, Producer, TopicPartition

from . import topics
from .codec import RecordDecodeError, codec
from .security import kafka_security, secured

LOG = logging.getLogger(__name__)


class BudgetTimeout(TimeoutError):
    """The job did not answer every task of a round in time."""


class BudgetRefused(RuntimeError):
    """The job answered a round with an error (a bad request, a solver error, missing
    statistics)."""


@dataclass
class Round:
    """One round's rollouts per task, in the order asked; ``fallback`` says the job's answer was
    not used (``reason`` says why) and every task got the uniform ``n``."""

    round_id: str
    rollouts: Dict[str, int]
    fallback: bool = False
    reason: Optional[str] = None


class BudgetClient:
    """Asks the job for rollout budgets. Rounds are named ``<client_id>-round-<n>``: make
    ``client_id`` unique per client and run (e.g. a run id and a worker index) so that no two
    rounds share an id in the job's state. Use from one thread; close it (or use ``with``)."""

    def __init__(
        self,
        bootstrap_servers: str,
        experiment_id: str,
        client_id: str,
        task_ids: Sequence[str],
        round_size: int,
        n: int,
        timeout: float = 10.0,
        requests_topic: str = topics.BUDGET_REQUESTS,
        budget_topic: str = topics.BUDGET_ANSWERS,
        security: Any = None,
    ):
        if not task_ids or round_size < 1 or n < 1:
            raise ValueError("a budget client needs tasks, a round size >= 1 and n >= 1")
        if not client_id or not client_id.strip():
            raise ValueError("a budget client needs a client_id unique per client and run")
        self.experiment_id = experiment_id
        self.client_id = client_id
        self.task_ids = list(task_ids)
        self.round_size = min(round_size, len(self.task_ids))
        self.n = n
        self.timeout = timeout
        self.requests_topic = requests_topic
        self.rounds = 0
        self.fallbacks = 0
        self._next_task = 0
        self._request_codec = codec("BudgetRequest")
        self._answer_codec = codec("BudgetAllocation")
        security = kafka_security(security)
        self._producer = Producer(
            secured({"bootstrap.servers": bootstrap_servers, "acks": "all"}, security)
        )
        self._consumer = Consumer(
            secured(
                {
                    "bootstrap.servers": bootstrap_servers,
                    "group.id": f"creditstream-budget-{client_id}",
                    "enable.auto.commit": False,
                },
                security,
            )
        )
        # Assigned at the partitions' current ends before the first request, so that no answer
        # can slip past between asking and listening.
        metadata = self._consumer.list_topics(budget_topic, timeout=timeout)
        described = metadata.topics.get(budget_topic)
        if described is None or described.error is not None or not described.partitions:
            self.close()
            raise RuntimeError(
                f"topic {budget_topic} is not on {bootstrap_servers}"
                + (f": {described.error}" if described is not None and described.error else "")
                + "; start the job first (it creates its topics)"
            )
        assignment = []
        for partition in sorted(described.partitions):
            _low, high = self._consumer.get_watermark_offsets(
                TopicPartition(budget_topic, partition), timeout=timeout
            )
            assignment.append(TopicPartition(budget_topic, partition, high))
        self._consumer.assign(assignment)

    def next_round(self) -> Round:
        """The next ``round_size`` tasks (in turn) with the job's rollouts, or ``n`` each if the
        job cannot answer (logged, counted in ``fallbacks``)."""
        tasks = []
        for _ in range(self.round_size):
            tasks.append(self.task_ids[self._next_task])
            self._next_task = (self._next_task + 1) % len(self.task_ids)
        self.rounds += 1
        round_id = f"{self.client_id}-round-{self.rounds}"
        try:
            return Round(round_id, self.request(round_id, tasks, len(tasks) * self.n, self.n))
        except (BudgetTimeout, BudgetRefused) as e:
            self.fallbacks += 1
            LOG.warning("Round %s falls back to %d rollouts a task: %s", round_id, self.n, e)
            return Round(round_id, {task: self.n for task in tasks}, True, str(e))

    def request(
        self,
        round_id: str,
        task_ids: Sequence[str],
        total_budget: Optional[int] = None,
        default_n: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> Dict[str, int]:
        """Sends one BudgetRequest and waits for the job's answer for every task.

        Raises BudgetTimeout after ``timeout`` seconds (default: the client's), BudgetRefused when
        the job answers with an error.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        payload = self._request_codec.encode(
            {
                "experiment_id": self.experiment_id,
                "round_id": round_id,
                "task_ids": list(task_ids),
                "total_budget": total_budget,
                "default_n": default_n,
            }
        )
        errors = []
        self._producer.produce(
            self.requests_topic,
            payload,
            round_id.encode("utf-8"),
            on_delivery=lambda error, _m: errors.append(error) if error else None,
        )
        if self._producer.flush(timeout) or errors:
            raise BudgetTimeout(
                f"cannot send budget request {round_id}: "
                + (str(errors[0]) if errors else f"not acknowledged within {timeout} s")
            )
        budgets: Dict[str, int] = {}
        wanted = set(task_ids)
        # A round of no tasks is still answered: with one allocation carrying the error.
        while not wanted <= budgets.keys() or not (wanted or budgets):
            left = deadline - time.monotonic()
            if left <= 0:
                raise BudgetTimeout(
                    f"{len(budgets)} of {len(wanted)} answers to {round_id} within {timeout} s"
                )
            message = self._consumer.poll(min(left, 0.2))
            if message is None or message.error() is not None:
                continue
            try:
                answer = self._answer_codec.decode(message.value())
            except RecordDecodeError:
                continue  # not an answer this client can read; others may share the topic
            if answer["round_id"] != round_id:
                continue
            if answer["error"] is not None:
                raise BudgetRefused(f"the job answered {round_id}: {answer['error']}")
            budgets[answer["task_id"]] = answer["rollouts"]
        return {task: budgets[task] for task in task_ids}

    def close(self) -> None:
        self._producer.flush(5)
        self._consumer.close()

    def __enter__(self) -> "BudgetClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

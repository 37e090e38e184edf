#!/usr/bin/python3
"""A Python trainer: reads the job's advantage batches from learner.batches (read_committed),
makes a clipped policy-gradient update of the maze policy (examples/maze.py) per --batch-records
samples, publishes each new version as a snapshot in the learner's format, and acknowledges the
batches only after the snapshot is out, so a crash replays them.

The update is numpy on the CPU (Debian's python3-torch drags in ~180 packages, so the example does
without it); creditstream.torch_adapter gives a PyTorch trainer the same batch as tensors.

    examples/python_trainer.py --bootstrap 127.0.0.1:9092 --experiment py-maze --store /tmp/py-store
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from creditstream import BatchReader, SnapshotPublisher, topics  # noqa: E402
from maze import ACTIONS, Policy, features  # noqa: E402


class Adam:
    def __init__(self, weights, lr):
        self.lr, self.t = lr, 0
        self.m = {k: np.zeros_like(v) for k, v in weights.items()}
        self.v = {k: np.zeros_like(v) for k, v in weights.items()}

    def step(self, weights, grads):
        self.t += 1
        for k in weights:
            self.m[k] = 0.9 * self.m[k] + 0.1 * grads[k]
            self.v[k] = 0.999 * self.v[k] + 0.001 * grads[k] ** 2
            m = self.m[k] / (1 - 0.9**self.t)
            v = self.v[k] / (1 - 0.999**self.t)
            weights[k] -= self.lr * m / (np.sqrt(v) + 1e-8)


def update(policy, optimizer, x, actions, advantages, behaviour, epochs, clip, entropy_coef):
    """PPO's clipped surrogate, full-batch, ``epochs`` passes; returns the last pass's figures."""
    w = policy.weights
    n = len(actions)
    rows = np.arange(n)
    for _ in range(epochs):
        log_probs, h = policy.log_probs(x)
        probs = np.exp(log_probs)
        ratio = np.exp(log_probs[rows, actions] - behaviour)
        clipped = np.clip(ratio, 1 - clip, 1 + clip)
        surrogate = np.minimum(ratio * advantages, clipped * advantages)
        entropy = -(probs * log_probs).sum(axis=1)
        loss = -(surrogate.mean() + entropy_coef * entropy.mean())
        # d(loss)/d(log pi(a)): the unclipped branch carries the gradient, the clipped one none.
        active = (ratio * advantages) <= (clipped * advantages)
        d_logp_a = np.where(active, -ratio * advantages, 0.0) / n
        onehot = np.zeros_like(probs)
        onehot[rows, actions] = 1.0
        d_logits = d_logp_a[:, None] * (onehot - probs)
        # Entropy bonus: dH/dlogits = -p * (log p + H).
        d_logits += entropy_coef * probs * (log_probs + entropy[:, None]) / n
        grads = {"w2": h.T @ d_logits, "b2": d_logits.sum(axis=0)}
        d_h = (d_logits @ w["w2"].T) * (1 - h**2)
        grads["w1"] = x.T @ d_h
        grads["b1"] = d_h.sum(axis=0)
        optimizer.step(w, grads)
    return {
        topics.LOSS: float(loss),
        topics.ENTROPY: float(entropy.mean()),
        topics.CLIP_FRACTION: float((np.abs(ratio - 1) > clip).mean()),
        topics.MEAN_RATIO: float(ratio.mean()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--experiment", default="py-maze")
    parser.add_argument("--store", required=True, help="snapshot store directory")
    parser.add_argument("--device", default="cpu", choices=["cpu"], help="numpy: the CPU only")
    parser.add_argument("--batch-records", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--entropy", type=float, default=0.01)
    parser.add_argument("--max-updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    policy = Policy(seed=args.seed)
    optimizer = Adam(policy.weights, args.lr)
    version = 0
    started = time.monotonic()
    with SnapshotPublisher(args.bootstrap, args.store, args.experiment) as publisher, BatchReader(
        args.bootstrap, f"py-trainer-{args.experiment}"
    ) as reader:
        publisher.publish(
            version,
            policy.to_bytes(),
            {topics.TRAINED_POLICY_VERSION: -1, topics.BATCH_RECORDS: args.batch_records},
        )
        pending, samples = [], 0
        while version < args.max_updates:
            batch = reader.poll(1.0)
            if batch is None:
                continue
            if batch.experiment_id != args.experiment:
                reader.ack(batch)
                continue
            pending.append(batch)
            samples += len(batch)
            if samples < args.batch_records:
                continue
            x = np.stack([features(o) for b in pending for o in b.observations])
            actions = np.array([ACTIONS.index(a) for b in pending for a in b.actions])
            advantages = np.concatenate([b.advantages for b in pending])
            behaviour = np.concatenate([b.behavior_logprobs for b in pending])
            current, _ = policy.log_probs(x)
            # Steps sent without a behaviour log-prob count as on-policy.
            behaviour = np.where(np.isnan(behaviour), current[np.arange(len(actions)), actions], behaviour)
            figures = update(
                policy, optimizer, x, actions, advantages, behaviour, args.epochs, args.clip, args.entropy
            )
            version += 1
            figures.update(
                {
                    topics.SAMPLES: float(samples),
                    topics.TRAINED_POLICY_VERSION: float(max(b.max_policy_version for b in pending)),
                    topics.BATCH_RECORDS: float(args.batch_records),
                    topics.PENDING_SAMPLES: 0.0,
                }
            )
            publisher.publish(version, policy.to_bytes(), figures)
            for batch in pending:  # trained on and published: a restart need not see them again
                reader.ack(batch)
            print(
                f"[{time.monotonic() - started:5.0f}s] v{version}: {samples} samples, loss "
                f"{figures[topics.LOSS]:.4f}, entropy {figures[topics.ENTROPY]:.3f}, clip "
                f"{figures[topics.CLIP_FRACTION]:.2f}",
                flush=True,
            )
            pending, samples = [], 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

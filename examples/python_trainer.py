#!/usr/bin/python3
"""A PyTorch trainer: reads the job's advantage batches from learner.batches (read_committed),
makes a clipped policy-gradient update of the maze policy per --batch-records samples, publishes
each new version as a snapshot in the DJL learner's format, and acknowledges the batches only after
the snapshot is out, so a crash replays them.

The policy is the Java learner's network: the Java encoder's features of the observation text
(creditstream.policy.encode_observation), two tanh hidden layers, one logit per action; its
artifact is the one PolicyNetwork.writeTo writes (encode_policy_network), so the Java fleet could
load it as well as the Python fleet (examples/python_fleet.py) does. Needs torch (Debian's
python3-torch); --device cuda trains on a GPU when this torch can use one.

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

from creditstream import BatchReader, SnapshotPublisher, encode_policy_network, topics  # noqa: E402
from creditstream.policy import encode_observations, feature_count  # noqa: E402
from maze import ACTIONS  # noqa: E402

try:
    import torch
    from torch import nn

    from creditstream.torch_adapter import device as torch_device
    from creditstream.torch_adapter import to_tensors
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

#: The Java learner's layer names, in its artifact's order.
LAYERS = ("hidden1", "hidden2", "logits")
#: As the Java network: the logit layer starts 100 times smaller, so the first policy explores.
LOGIT_INIT_GAIN = 0.01


class MazePolicy(nn.Module if torch is not None else object):
    """features -> tanh(hidden) -> tanh(hidden) -> logits, the DJL PolicyNetwork's shape; nn.Linear
    keeps its weight as [out, in], the layout of the artifact."""

    def __init__(self, rows: int, cols: int, hidden: int, seed: int):
        super().__init__()
        self.rows, self.cols = rows, cols
        sizes = [feature_count(rows, cols), hidden, hidden, len(ACTIONS)]
        self.hidden1 = nn.Linear(sizes[0], sizes[1])
        self.hidden2 = nn.Linear(sizes[1], sizes[2])
        self.logits = nn.Linear(sizes[2], sizes[3])
        # The Java network's initialisation: uniform in +-gain/sqrt(fan_in), biases zero, drawn
        # from a seeded generator so a seed gives the same first policy on any device.
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name in LAYERS:
                layer = getattr(self, name)
                gain = LOGIT_INIT_GAIN if name == "logits" else 1.0
                bound = gain / layer.in_features**0.5
                uniform = torch.rand(layer.weight.shape, generator=generator)
                layer.weight.copy_(uniform * 2 * bound - bound)
                layer.bias.zero_()

    def forward(self, features: "torch.Tensor") -> "torch.Tensor":
        h = torch.tanh(self.hidden1(features))
        h = torch.tanh(self.hidden2(h))
        return torch.log_softmax(self.logits(h), dim=-1)

    def artifact(self) -> bytes:
        """The weights in the DJL learner's format (float32, big-endian)."""
        weights = {
            f"{name}.{kind}": getattr(getattr(self, name), kind).detach().cpu().numpy()
            for name in LAYERS
            for kind in ("weight", "bias")
        }
        return encode_policy_network(self.rows, self.cols, "tanh", ACTIONS, weights)


def update(policy, optimizer, shuffle, x, actions, advantages, behaviour, args):
    """PPO's clipped surrogate with an entropy bonus: ``args.epochs`` passes over the samples in
    minibatches of ``args.minibatch`` (order drawn from ``shuffle``); returns the update's figures."""
    n = len(actions)
    rows = torch.arange(n, device=x.device)
    losses, entropies, clipped, ratios, kls, norms = [], [], [], [], [], []
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=shuffle).to(x.device)
        for start in range(0, n, args.minibatch):
            idx = order[start : start + args.minibatch]
            log_probs = policy(x[idx])
            taken = log_probs[rows[: len(idx)], actions[idx]]
            ratio = torch.exp(taken - behaviour[idx])
            adv = advantages[idx]
            clipped_ratio = torch.clamp(ratio, 1 - args.clip, 1 + args.clip)
            surrogate = torch.minimum(ratio * adv, clipped_ratio * adv)
            entropy = -(log_probs.exp() * log_probs).sum(dim=-1)
            loss = -(surrogate.mean() + args.entropy * entropy.mean())
            optimizer.zero_grad()
            loss.backward()
            # The DJL learner's default too: an outsized gradient is cut to this norm before Adam
            # sees it (0 = no clipping); the returned norm is the one before clipping.
            limit = args.max_grad_norm if args.max_grad_norm > 0 else float("inf")
            norms.append(float(torch.nn.utils.clip_grad_norm_(policy.parameters(), limit)))
            optimizer.step()
            with torch.no_grad():
                losses.append(loss.item())
                entropies.append(entropy.mean().item())
                clipped.append(((ratio - 1).abs() > args.clip).float().mean().item())
                ratios.append(ratio.mean().item())
                kls.append((behaviour[idx] - taken).mean().item())
    return {
        topics.LOSS: float(np.mean(losses)),
        topics.ENTROPY: float(np.mean(entropies)),
        topics.CLIP_FRACTION: float(np.mean(clipped)),
        topics.MEAN_RATIO: float(np.mean(ratios)),
        topics.APPROX_KL: float(np.mean(kls)),
        topics.OPTIMIZER_STEPS: float(len(losses)),
        topics.GRAD_NORM: float(np.mean(norms)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--experiment", default="py-maze")
    parser.add_argument("--store", required=True, help="snapshot store directory")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    parser.add_argument("--rows", type=int, default=4, help="maze rows (the fleet's maze)")
    parser.add_argument("--cols", type=int, default=5, help="maze columns (the fleet's maze)")
    parser.add_argument("--hidden", type=int, default=64, help="units per hidden layer")
    parser.add_argument("--batch-records", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--minibatch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--entropy", type=float, default=0.01)
    parser.add_argument("--max-grad-norm", type=float, default=1.0, help="gradient norm clip; 0 = none")
    parser.add_argument("--max-updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if torch is None:
        print("error: the trainer needs torch: apt-get install python3-torch", file=sys.stderr)
        return 2
    try:
        device = torch_device(args.device)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    torch.manual_seed(args.seed)
    policy = MazePolicy(args.rows, args.cols, args.hidden, args.seed).to(device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    shuffle = torch.Generator().manual_seed(args.seed)  # on the CPU: the same order on any device
    version = 0
    started = time.monotonic()
    print(
        f"training on {device} (torch {torch.__version__}), "
        f"{feature_count(args.rows, args.cols)} features, {args.hidden} hidden units",
        flush=True,
    )
    with SnapshotPublisher(args.bootstrap, args.store, args.experiment) as publisher, BatchReader(
        args.bootstrap, f"py-trainer-{args.experiment}"
    ) as reader:
        publisher.publish(
            version,
            policy.artifact(),
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
            observations = [o for b in pending for o in b.observations]
            x = torch.as_tensor(encode_observations(observations, args.rows, args.cols), device=device)
            actions = torch.as_tensor([ACTIONS.index(a) for b in pending for a in b.actions], device=device)
            tensors = [to_tensors(b, device) for b in pending]
            advantages = torch.cat([t["advantages"] for t in tensors])
            behaviour = torch.cat([t["behavior_logprobs"] for t in tensors])
            with torch.no_grad():
                current = policy(x)[torch.arange(len(actions), device=device), actions]
            # Steps sent without a behaviour log-prob count as on-policy.
            behaviour = torch.where(torch.isnan(behaviour), current, behaviour)
            figures = update(policy, optimizer, shuffle, x, actions, advantages, behaviour, args)
            version += 1
            figures.update(
                {
                    topics.SAMPLES: float(samples),
                    topics.TRAINED_POLICY_VERSION: float(max(b.max_policy_version for b in pending)),
                    topics.BATCH_RECORDS: float(args.batch_records),
                    topics.PENDING_SAMPLES: 0.0,
                }
            )
            publisher.publish(version, policy.artifact(), figures)
            for batch in pending:  # trained on and published: a restart need not see them again
                reader.ack(batch)
            print(
                f"[{time.monotonic() - started:5.0f}s] v{version}: {samples} samples, loss "
                f"{figures[topics.LOSS]:.4f}, entropy {figures[topics.ENTROPY]:.3f}, clip "
                f"{figures[topics.CLIP_FRACTION]:.2f}, kl {figures[topics.APPROX_KL]:.4f}",
                flush=True,
            )
            pending, samples = [], 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A Python agent fleet: plays the key-and-door maze (examples/maze.py) in groups with the newest
policy snapshot and writes every step to agent.steps through the creditstream client.

The policy is the trainer's artifact (the DJL learner's weight format), evaluated in numpy
(creditstream.policy.NumpyPolicy): the fleet needs no torch. It starts with the trainer's first
snapshot, as the Java fleet waits for the learner's.

It paces itself by the trainer: after --max-steps-ahead steps played with one policy version it
waits for a newer snapshot (as the Java fleet does), so rollouts stay close to the trainer.
Progress lines, and with --curve a CSV of the success rate over the last 200 episodes.

It loads weights only from the trainer's --store (a snapshot naming a file anywhere else is
refused, as the Java fleet refuses it), and keeps playing its current version when one is refused.

    examples/python_fleet.py --bootstrap 127.0.0.1:9092 --experiment py-maze --store /tmp/py-store
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import uuid

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from creditstream import SnapshotIntegrityError, SnapshotWatcher, StepWriter  # noqa: E402
from creditstream.policy import NumpyPolicy  # noqa: E402
from maze import ACTIONS, Maze  # noqa: E402


def load_policy(data: bytes) -> NumpyPolicy:
    """The snapshot's network, checked against this fleet's maze and actions."""
    policy = NumpyPolicy.from_artifact(data)
    probe = Maze(0)
    if (policy.rows, policy.cols) != (probe.rows, probe.cols) or policy.actions != ACTIONS:
        raise SystemExit(
            f"error: the snapshot's network is for a {policy.rows}x{policy.cols} maze with actions "
            f"{policy.actions}; this fleet plays {probe.rows}x{probe.cols} with {ACTIONS} (give the "
            "trainer the same --rows/--cols)"
        )
    return policy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--experiment", default="py-maze")
    parser.add_argument("--store", required=True, help="the trainer's snapshot store directory")
    parser.add_argument("--tasks", type=int, default=16, help="maze layouts (task seeds 0..N-1)")
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--stop-at-success", type=float, default=0.8, help="0 plays all episodes")
    parser.add_argument("--max-steps-ahead", type=int, default=2048)
    parser.add_argument("--snapshot-wait", type=float, default=120.0, help="seconds a pause may last")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--curve", help="CSV file: episodes, success rate over the last 200")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    run = uuid.uuid4().hex[:8]
    recent = collections.deque(maxlen=200)
    curve = open(args.curve, "w") if args.curve else None
    if curve:
        curve.write("episodes,success_rate_last_200,policy_version,seconds\n")
    started = time.monotonic()
    episodes = steps_at_version = groups = 0
    with StepWriter(args.bootstrap) as writer, SnapshotWatcher(
        args.bootstrap, args.experiment, store=args.store
    ) as watcher:
        try:
            first = watcher.wait_for(0, timeout=args.snapshot_wait)
        except TimeoutError as e:
            print(f"error: {e}; start the trainer (its first snapshot is the policy this fleet plays)")
            return 1
        policy, version = load_policy(first.data), first.version
        while episodes < args.episodes:
            try:
                newest = watcher.poll(0)
                if newest is None and steps_at_version >= args.max_steps_ahead:
                    # Ahead of the trainer: wait for the snapshot trained on what was sent.
                    newest = watcher.wait_for(version + 1, timeout=args.snapshot_wait)
            except SnapshotIntegrityError as e:
                # A snapshot whose artifact was refused or altered: keep the current policy.
                print(f"kept version {version}: {e}", file=sys.stderr, flush=True)
                newest = None
            if newest is not None and newest.version > version:
                policy, version, steps_at_version = load_policy(newest.data), newest.version, 0
            task = groups % args.tasks
            group_id = f"{args.experiment}-{run}-g{groups}"
            groups += 1
            for member in range(args.group_size):
                maze = Maze(task)
                observation, done, index = maze.reset(), False, 0
                episode_id = f"{group_id}-e{member}"
                while not done:
                    log_probs = policy.observation_log_probs([observation])
                    probs = np.exp(log_probs[0])
                    action = int(rng.choice(len(ACTIONS), p=probs / probs.sum()))
                    state_key = maze.state_key()
                    next_observation, reward, done, invalid = maze.step(ACTIONS[action])
                    writer.write(
                        experiment_id=args.experiment,
                        task_id=f"maze-{task}",
                        group_id=group_id,
                        episode_id=episode_id,
                        step_index=index,
                        policy_version=version,
                        state_key=f"maze-{task}:{state_key}",
                        observation=observation,
                        action=ACTIONS[action],
                        reward=reward,
                        invalid_action=invalid,
                        done=done,
                        group_size=args.group_size,
                        behavior_logprob=float(log_probs[0, action]),
                    )
                    observation, index = next_observation, index + 1
                    steps_at_version += 1
                recent.append(reward >= 1.0)  # the last step reached the goal
                episodes += 1
                if episodes % 200 == 0:
                    rate = sum(recent) / len(recent)
                    seconds = time.monotonic() - started
                    print(
                        f"[{seconds:5.0f}s] episodes {episodes:,} | success (last 200) {rate:.1%} | "
                        f"policy v{version}",
                        flush=True,
                    )
                    if curve:
                        curve.write(f"{episodes},{rate:.4f},{version},{seconds:.1f}\n")
                        curve.flush()
                    if args.stop_at_success and rate >= args.stop_at_success:
                        print(f"reached {rate:.1%} success after {episodes:,} episodes", flush=True)
                        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

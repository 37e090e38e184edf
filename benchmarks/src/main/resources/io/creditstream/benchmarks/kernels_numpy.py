#!/usr/bin/python3
"""The credit kernels in numpy, for comparison with the Java kernels on the same inputs.

The formulas are those of docs/ALGORITHMS.md: GiGPO and GRPO (sections 0-2, default settings,
`steps` episode scope), OPRL scoring (section 3, Eq. 1 and 3-5 with RLOO episodes) and the knapsack
dynamic programme (section 4.3 without the fallback). They are vectorised the way a numpy user
would write them: flat arrays, np.unique for anchor groups, bincount for group statistics, one
array operation per step position or per extra rollout.

    kernels_numpy.py INPUTS.json --check OUT.json   writes every kernel's result
    kernels_numpy.py INPUTS.json --time [--min-seconds S]
                                                    prints one JSON line per kernel and size:
                                                    {"kernel", "size", "us_per_call", "calls"}

INPUTS.json is written by the benchmarks module (KernelInputs.writeJson).
"""
import argparse
import json
import sys
import time

import numpy as np


def normalize(x, sample, divide, epsilon):
    """VN of the values x against the multiset `sample` (section 0), raw-score singleton rule."""
    n = sample.size
    if n == 1:
        mean, std = 0.0, 1.0
    elif sample.max() == sample.min():
        # Zero variance: every member normalises to exactly 0.
        mean, std = sample[0], 0.0
    else:
        mean = sample.mean()
        std = np.sqrt(((sample - mean) ** 2).sum() / (n - 1))
    deviation = x - mean
    if not divide:
        return deviation
    with np.errstate(divide="ignore", invalid="ignore"):
        out = deviation / (std + epsilon)
    return np.where(deviation == 0.0, 0.0, out)


def leave_one_out(x):
    n = x.size
    if n == 1:
        return x.copy()
    deviation = x - x.mean()
    if x.max() == x.min():
        return np.zeros_like(x)
    return n / (n - 1) * deviation


def credit_arrays(group):
    return {
        "lengths": np.asarray(group["lengths"], dtype=np.int64),
        "returns": np.asarray(group["returns"], dtype=np.float64),
        "anchors": np.asarray(group["anchors"]),
        "rewards": np.asarray(group["rewards"], dtype=np.float64),
        "invalid": np.asarray(group["invalid"], dtype=bool),
    }


def credit(arrays, params, gigpo):
    """One group's advantages, GiGPO (A^E + w.A^S) or GRPO (A^E), one per row."""
    lengths = arrays["lengths"]
    rewards = arrays["rewards"]
    invalid = arrays["invalid"]
    penalty = params["invalid_action_penalty"] * invalid
    trajectory = np.repeat(np.arange(lengths.size), lengths)
    first_row = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(rewards.size) - first_row[trajectory]

    score = arrays["returns"][trajectory] - penalty
    episode = normalize(score, score, True, params["epsilon"])
    if not gigpo:
        return episode

    # G_t = r_t + gamma.G_{t+1}: one vector operation per step position, all trajectories at once.
    width = int(lengths.max())
    padded = np.zeros((lengths.size, width + 1))
    padded[trajectory, position] = rewards
    returns = np.zeros_like(padded)
    gamma = params["gamma"]
    for t in range(width - 1, -1, -1):
        returns[:, t] = padded[:, t] + gamma * returns[:, t + 1]
    step_value = returns[trajectory, position] - penalty

    # Anchor-state groups: statistics per key with bincount; singletons and equal groups give 0.
    _, group_of = np.unique(arrays["anchors"], return_inverse=True)
    counts = np.bincount(group_of)
    mean = np.bincount(group_of, weights=step_value) / counts
    deviation = step_value - mean[group_of]
    with np.errstate(divide="ignore", invalid="ignore"):
        std = np.sqrt(np.bincount(group_of, weights=deviation**2) / (counts - 1))
    order = np.argsort(group_of, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    largest = np.maximum.reduceat(step_value[order], starts)
    smallest = np.minimum.reduceat(step_value[order], starts)
    zero = (counts == 1) | (largest == smallest)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = deviation / (std[group_of] + params["epsilon"])
    step = np.where(zero[group_of] | (deviation == 0.0), 0.0, step)
    return episode + params["step_advantage_weight"] * step


def oprl_arrays(group):
    weights = np.zeros(1 << group["hash_bits"])
    weights[np.asarray(group["weight_index"], dtype=np.int64)] = group["weight_value"]
    counts = np.asarray(group["feature_counts"], dtype=np.int64)
    return {
        "lengths": np.asarray(group["lengths"], dtype=np.int64),
        "outcomes": np.asarray(group["outcomes"], dtype=np.float64),
        "starts": np.concatenate(([0], np.cumsum(counts)[:-1])),
        "indices": np.asarray(group["indices"], dtype=np.int64),
        "values": np.asarray(group["values"], dtype=np.float64),
        "weights": weights,
        "beta": group["beta"],
        "alpha": group["alpha"],
        "epsilon": group["epsilon"],
    }


def oprl(arrays):
    """r_phi = beta.w.phi per step (every step has features), then A^E (RLOO) + alpha.A^S."""
    products = arrays["weights"][arrays["indices"]] * arrays["values"]
    step_reward = arrays["beta"] * np.add.reduceat(products, arrays["starts"])
    episode = leave_one_out(arrays["outcomes"])
    step = normalize(step_reward, step_reward, True, arrays["epsilon"])
    return np.repeat(episode, arrays["lengths"]) + arrays["alpha"] * step


def knapsack(round_):
    """Budgets per task: min_n each, then the DP over the remaining units (smallest k on ties)."""
    p = np.asarray(round_["p"], dtype=np.float64)
    p32 = p.astype(np.float32).astype(np.float64)
    tasks, min_n, max_n = p.size, round_["min_n"], round_["max_n"]
    budget = np.full(tasks, min_n, dtype=np.int64)
    remaining = tasks * round_["n"] - budget.sum()
    extra_cap = max_n - min_n
    usable = int(min(remaining, tasks * extra_cap))
    k_cap = min(extra_cap, usable)
    k = np.arange(1, k_cap + 1)
    q = 1 - p32
    # gain(k) = V(k + min_n, p32); gain(0) = 0.
    gains = np.zeros((tasks, k_cap + 1))
    gains[:, 1:] = (
        (1 - p32[:, None] ** (k + min_n) - q[:, None] ** (k + min_n)) * p32[:, None] * (q * q)[:, None]
    )
    previous = np.full(usable + 1, -np.inf)
    previous[0] = 0.0
    choice = np.zeros((tasks, usable + 1), dtype=np.int64)
    for i in range(tasks):
        best = previous.copy()
        chosen = np.zeros(usable + 1, dtype=np.int64)
        for extra in range(1, k_cap + 1):
            candidate = np.full(usable + 1, -np.inf)
            candidate[extra:] = previous[:-extra] + gains[i, extra]
            better = candidate > best
            best = np.where(better, candidate, best)
            chosen = np.where(better, extra, chosen)
        choice[i] = chosen
        previous = best
    w = usable
    for i in range(tasks - 1, -1, -1):
        budget[i] += choice[i, w]
        w -= choice[i, w]
    return budget


def kernels(inputs):
    """(name, size, function of no arguments) for every kernel and input, arrays prepared."""
    params = inputs["credit_params"]
    runs = []
    for group in inputs["credit_groups"]:
        arrays = credit_arrays(group)
        runs.append(("gigpo", group["rows"], lambda a=arrays: credit(a, params, True)))
        runs.append(("grpo", group["rows"], lambda a=arrays: credit(a, params, False)))
    for group in inputs["oprl_groups"]:
        arrays = oprl_arrays(group)
        runs.append(("oprlScoring", group["rows"], lambda a=arrays: oprl(a)))
    for round_ in inputs["knapsack_rounds"]:
        runs.append(("knapsack", round_["tasks"], lambda r=round_: knapsack(r)))
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("inputs")
    parser.add_argument("--check", metavar="OUT", help="write every kernel's result to OUT")
    parser.add_argument("--time", action="store_true", help="time every kernel")
    parser.add_argument("--min-seconds", type=float, default=2.0,
                        help="measuring time per kernel and size (default 2)")
    args = parser.parse_args()
    if not args.check and not args.time:
        parser.error("give --check OUT or --time")
    with open(args.inputs) as f:
        inputs = json.load(f)
    runs = kernels(inputs)
    if args.check:
        results = [{"kernel": name, "size": size, "result": np.asarray(run()).tolist()}
                   for name, size, run in runs]
        with open(args.check, "w") as f:
            json.dump(results, f)
    if args.time:
        for name, size, run in runs:
            # Warm-up for a quarter of the time, then as many calls as fit in the rest.
            warm_until = time.perf_counter() + args.min_seconds / 4
            while time.perf_counter() < warm_until:
                run()
            calls, start = 0, time.perf_counter()
            while True:
                run()
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= args.min_seconds:
                    break
            print(json.dumps({"kernel": name, "size": size, "us_per_call": elapsed / calls * 1e6,
                              "calls": calls}), flush=True)


if __name__ == "__main__":
    sys.exit(main())

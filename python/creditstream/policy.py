"""The DJL policy network's input and forward pass, in numpy, so that Python and Java read one
artifact alike.

A weight artifact (``encode_policy_network``) names its maze size, and the Java side derives the
network's input from it: its ObservationEncoder turns a key-and-door observation (``rows`` grid
lines of ``cols`` cells, then "You hold the key." or "You hold nothing.", then "The door is open."
or "The door is locked.") into a one-hot per cell over ``ALPHABET``, the two flags, and agent-centred
features. :func:`encode_observation` computes the same floats, so a network trained in Python plays
in the Java fleet and the other way round; :class:`NumpyPolicy` evaluates an artifact without torch
(a fleet needs no more).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

#: The cell alphabet in feature order: wall, free, agent, key, locked door, open door, goal.
ALPHABET = "#.@kD/G"
HOLDS_KEY = "You hold the key."
HOLDS_NOTHING = "You hold nothing."
DOOR_OPEN = "The door is open."
DOOR_LOCKED = "The door is locked."

# Agent-centred features (Java's EgocentricFeatures): per neighbour north, south, east, west:
# blocked, locked door, goal, key; per target key, door, goal and current sub-goal: present and
# the one-hot signs of its row and column offsets; then on-the-key and next-to-the-locked-door.
_NEIGHBOURS = ((-1, 0), (1, 0), (0, 1), (0, -1))
_PER_NEIGHBOUR = 4
_PER_TARGET = 7
EGOCENTRIC_FEATURES = 4 * _PER_NEIGHBOUR + 4 * _PER_TARGET + 2


def feature_count(rows: int, cols: int) -> int:
    """The network's input width for a ``rows`` x ``cols`` maze (Java: featureCount())."""
    if rows <= 0 or cols <= 0:
        raise ValueError(f"maze size must be positive, got {rows} rows x {cols} cols")
    return rows * cols * len(ALPHABET) + 2 + EGOCENTRIC_FEATURES


def _flag(line: str, number: int, yes: str, no: str) -> float:
    if line == yes:
        return 1.0
    if line == no:
        return 0.0
    raise ValueError(f'line {number} is "{line}", expected "{yes}" or "{no}"')


def _find(grid: Sequence[str], symbol: str) -> Optional[Tuple[int, int]]:
    for r, row in enumerate(grid):
        c = row.find(symbol)
        if c >= 0:
            return r, c
    return None


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


@functools.lru_cache(maxsize=65536)
def _encode(observation: str, rows: int, cols: int) -> bytes:
    # Cached: a fleet and a trainer see the same few hundred observations over and over.
    out = np.zeros(feature_count(rows, cols), dtype=np.float32)
    lines = observation.split("\n")
    if len(lines) != rows + 2:
        raise ValueError(
            f"observation has {len(lines)} lines, expected {rows + 2} ({rows} grid rows of {cols} "
            "cells, then the key line and the door line)"
        )
    grid = lines[:rows]
    for r, line in enumerate(grid):
        if len(line) != cols:
            raise ValueError(
                f"line {r + 1} has {len(line)} cells, expected {cols} (maze of {rows}x{cols})"
            )
        for c, ch in enumerate(line):
            symbol = ALPHABET.find(ch)
            if symbol < 0:
                raise ValueError(
                    f"line {r + 1}, column {c + 1}: bad character {ch!r}, expected one of {ALPHABET}"
                )
            out[(r * cols + c) * len(ALPHABET) + symbol] = 1.0
    holds_key = _flag(lines[rows], rows + 1, HOLDS_KEY, HOLDS_NOTHING)
    door_open = _flag(lines[rows + 1], rows + 2, DOOR_OPEN, DOOR_LOCKED)
    k = rows * cols * len(ALPHABET)
    out[k], out[k + 1] = holds_key, door_open
    _egocentric(grid, holds_key == 1.0, door_open == 1.0, out, k + 2)
    return out.tobytes()


def _egocentric(grid: List[str], holds_key: bool, door_open: bool, out: np.ndarray, k: int) -> None:
    agent = _find(grid, "@")
    if agent is None:
        return  # no agent drawn: nothing to be egocentric about
    key = _find(grid, "k")
    door = _find(grid, "/" if door_open else "D")
    goal = _find(grid, "G")
    for dr, dc in _NEIGHBOURS:
        r, c = agent[0] + dr, agent[1] + dc
        inside = 0 <= r < len(grid) and 0 <= c < len(grid[r])
        cell = grid[r][c] if inside else "#"
        out[k : k + 4] = (cell == "#", cell == "D", cell == "G", cell == "k")
        k += _PER_NEIGHBOUR
    sub_goal = key if not holds_key else door if not door_open else goal
    for target in (None if holds_key else key, door, goal, sub_goal):
        if target is not None:
            out[k] = 1.0
            out[k + 2 + _sign(target[0] - agent[0])] = 1.0
            out[k + 5 + _sign(target[1] - agent[1])] = 1.0
        k += _PER_TARGET
    # Standing on the key: it is not drawn under the agent and not held yet.
    out[k] = 1.0 if not holds_key and key is None else 0.0
    adjacent = door is not None and abs(agent[0] - door[0]) + abs(agent[1] - door[1]) == 1
    out[k + 1] = 1.0 if door is not None and not door_open and adjacent else 0.0


def encode_observation(observation: str, rows: int, cols: int) -> np.ndarray:
    """The float32 features the Java ObservationEncoder gives ``observation``; ValueError naming
    the line and what was expected when it is not a ``rows`` x ``cols`` maze observation."""
    return np.frombuffer(_encode(observation, rows, cols), dtype=np.float32)


def encode_observations(observations: Sequence[str], rows: int, cols: int) -> np.ndarray:
    """A ``[len(observations), feature_count(rows, cols)]`` float32 batch."""
    if not observations:
        return np.zeros((0, feature_count(rows, cols)), dtype=np.float32)
    rows_out = []
    for i, observation in enumerate(observations):
        try:
            rows_out.append(encode_observation(observation, rows, cols))
        except ValueError as e:
            raise ValueError(f"observation {i} of the batch: {e}") from e
    return np.stack(rows_out)


class NumpyPolicy:
    """An artifact's network evaluated in numpy, float32 as in Java: two hidden layers with the
    artifact's activation, then one logit per action."""

    def __init__(self, spec: Dict[str, Any], weights: Dict[str, np.ndarray]):
        self.spec = spec
        self.rows, self.cols = spec["rows"], spec["cols"]
        self.actions: List[str] = list(spec["actions"])
        activation = spec["activation"].upper()
        if activation not in ("TANH", "RELU"):
            raise ValueError(f"activation {spec['activation']!r} is neither TANH nor RELU")
        self._activation = np.tanh if activation == "TANH" else (lambda v: np.maximum(v, 0))
        self._layers = [
            (
                np.asarray(weights[f"{name}.weight"], np.float32),
                np.asarray(weights[f"{name}.bias"], np.float32),
            )
            for name in ("hidden1", "hidden2", "logits")
        ]

    @staticmethod
    def from_artifact(data: bytes) -> "NumpyPolicy":
        from .snapshots import decode_policy_network

        return NumpyPolicy(*decode_policy_network(data))

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Log-softmax over the actions for a ``[n, feature_count]`` batch of features."""
        h = np.asarray(features, dtype=np.float32)
        for i, (weight, bias) in enumerate(self._layers):
            h = h @ weight.T + bias
            if i < len(self._layers) - 1:
                h = self._activation(h)
        h = h - h.max(axis=-1, keepdims=True)
        return h - np.log(np.exp(h).sum(axis=-1, keepdims=True))

    def observation_log_probs(self, observations: Sequence[str]) -> np.ndarray:
        return self.log_probs(encode_observations(observations, self.rows, self.cols))

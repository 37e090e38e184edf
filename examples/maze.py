"""A key-and-door maze in Python, and the small numpy policy the example fleet and trainer share.

The maze: two rooms split by a wall whose only passage is a locked door. The agent starts in the
left room with the key somewhere in it; it must walk to the key and ``pick`` it, walk to the cell
west of the door and ``open`` it, then reach the goal in the right room, within ``max_steps``.
Reward 1 at the goal and ``SUBGOAL_REWARD`` for the key and for the door; an action that does nothing (walking into a wall, picking where no key
lies, opening away from the door) is an invalid action. A layout is a pure function of its task
seed. The observation is the rendered grid plus a status line, and the policy reads only that text,
so the trainer computes exactly the features the fleet acted on from the AdvantageRecord's
``observation``.
"""

from __future__ import annotations

import io
import random
from typing import List, Optional, Tuple

import numpy as np

#: Reward for picking the key and for opening the door: without it a random policy almost never
#: reaches the goal, every group's returns are equal, and no estimator has a signal to learn from.
SUBGOAL_REWARD = 0.2

ACTIONS = ["north", "south", "east", "west", "pick", "open"]
MOVES = {"north": (-1, 0), "south": (1, 0), "east": (0, 1), "west": (0, -1)}


class Maze:
    """One layout: ``rows`` x ``cols`` with the wall at the middle column."""

    def __init__(self, task_seed: int, rows: int = 4, cols: int = 5, max_steps: int = 50):
        rng = random.Random(task_seed)
        self.rows, self.cols, self.max_steps = rows, cols, max_steps
        self.wall = cols // 2
        self.door = (rng.randrange(rows), self.wall)
        left = [(r, c) for r in range(rows) for c in range(self.wall)]
        right = [(r, c) for r in range(rows) for c in range(self.wall + 1, cols)]
        self.start, self.key = rng.sample(left, 2)
        self.goal = rng.choice(right)
        self.reset()

    def reset(self) -> str:
        self.agent, self.has_key, self.door_open, self.steps = self.start, False, False, 0
        return self.render()

    def render(self) -> str:
        out = io.StringIO()
        for r in range(self.rows):
            for c in range(self.cols):
                cell = (r, c)
                if cell == self.agent:
                    out.write("@")
                elif cell == self.door:
                    out.write("/" if self.door_open else "D")
                elif c == self.wall:
                    out.write("#")
                elif cell == self.key and not self.has_key:
                    out.write("k")
                elif cell == self.goal:
                    out.write("G")
                else:
                    out.write(".")
            out.write("\n")
        out.write(f"key {int(self.has_key)} door {int(self.door_open)}")
        return out.getvalue()

    def state_key(self) -> str:
        return f"{self.agent[0]},{self.agent[1]},{int(self.has_key)},{int(self.door_open)}"

    def step(self, action: str) -> Tuple[str, float, bool, bool]:
        """(observation, reward, done, invalid_action)."""
        self.steps += 1
        invalid, reward = False, 0.0
        if action in MOVES:
            dr, dc = MOVES[action]
            target = (self.agent[0] + dr, self.agent[1] + dc)
            inside = 0 <= target[0] < self.rows and 0 <= target[1] < self.cols
            passable = inside and (target[1] != self.wall or (target == self.door and self.door_open))
            if passable:
                self.agent = target
            else:
                invalid = True
        elif action == "pick":
            if self.agent == self.key and not self.has_key:
                self.has_key = True
                reward = SUBGOAL_REWARD
            else:
                invalid = True
        elif action == "open":
            west_of_door = (self.door[0], self.door[1] - 1)
            if self.agent == west_of_door and self.has_key and not self.door_open:
                self.door_open = True
                reward = SUBGOAL_REWARD
            else:
                invalid = True
        success = self.agent == self.goal
        done = success or self.steps >= self.max_steps
        return self.render(), 1.0 if success else reward, done, invalid


def features(observation: str) -> np.ndarray:
    """The policy's input, from the observation text alone: status, the direction of the current
    sub-goal (key, the cell west of the door, the goal), and which neighbours are blocked."""
    lines = observation.split("\n")
    grid, status = lines[:-1], lines[-1].split()
    has_key, door_open = status[1] == "1", status[3] == "1"
    find = {ch: (r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch in "@kDG/"}
    agent = find["@"]
    door = find.get("D", find.get("/"))
    if door is None:  # the agent stands in the open door
        door = agent
    if not has_key:
        target = find.get("k", agent)
    elif not door_open:
        target = (door[0], door[1] - 1)
    elif agent[1] < door[1]:
        target = door  # through the open door first
    else:
        target = find.get("G", agent)
    dr, dc = target[0] - agent[0], target[1] - agent[1]
    blocked = []
    for move in ("north", "south", "east", "west"):
        r, c = agent[0] + MOVES[move][0], agent[1] + MOVES[move][1]
        inside = 0 <= r < len(grid) and 0 <= c < len(grid[0])
        blocked.append(1.0 if not inside or grid[r][c] in "#D" else 0.0)
    return np.array(
        [
            1.0,
            float(has_key),
            float(door_open),
            float(dr < 0),
            float(dr > 0),
            float(dc < 0),
            float(dc > 0),
            float(dr == 0 and dc == 0),
            *blocked,
        ],
        dtype=np.float64,
    )


FEATURES = 12


class Policy:
    """A one-hidden-layer tanh MLP over ``features``; its weights travel as an .npz artifact."""

    def __init__(self, hidden: int = 32, seed: int = 0, weights: Optional[dict] = None):
        if weights is None:
            rng = np.random.default_rng(seed)
            weights = {
                "w1": rng.uniform(-1, 1, (FEATURES, hidden)) / np.sqrt(FEATURES),
                "b1": np.zeros(hidden),
                "w2": rng.uniform(-1, 1, (hidden, len(ACTIONS))) * 0.01,
                "b2": np.zeros(len(ACTIONS)),
            }
        self.weights = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}

    def log_probs(self, x: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Log-softmax over the actions for rows of features, and the hidden activations."""
        h = np.tanh(x @ self.weights["w1"] + self.weights["b1"])
        logits = h @ self.weights["w2"] + self.weights["b2"]
        logits = logits - logits.max(axis=-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True)), h

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez(out, **self.weights)
        return out.getvalue()

    @staticmethod
    def from_bytes(data: bytes) -> "Policy":
        with np.load(io.BytesIO(data)) as arrays:
            return Policy(weights={k: arrays[k] for k in arrays.files})

"""A key-and-door maze in Python, for the example fleet.

The maze: two rooms split by a wall whose only passage is a locked door. The agent starts in the
left room with the key somewhere in it; it must walk to the key and ``pick`` it, walk to the cell
west of the door and ``open`` it, then reach the goal in the right room, within ``max_steps``.
Reward 1 at the goal and ``SUBGOAL_REWARD`` for the key and for the door; an action that does
nothing (walking into a wall, picking where no key lies, opening away from the door) is an invalid
action. A layout is a pure function of its task
seed. The observation is the rendered grid and two status lines in the Java fleet's format, and the
policy reads only that text (creditstream.policy.encode_observation, the Java encoder's features),
so the trainer computes exactly the features the fleet acted on from the AdvantageRecord's
``observation``, and the Java side could play the same network.
"""

from __future__ import annotations

import io
import random
from typing import Tuple

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
        # The status lines of the Java fleet's maze, which the policy's encoder reads.
        out.write("You hold the key.\n" if self.has_key else "You hold nothing.\n")
        out.write("The door is open." if self.door_open else "The door is locked.")
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

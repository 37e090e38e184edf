package io.creditstream.tools.bench;

import io.creditstream.schemas.StepEvent;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Steps that hold a fixed number of episodes open at once, for the growth benchmark: {@code
 * openEpisodes} slots are visited round-robin, one step per slot per visit, and when a slot's
 * episode takes its last step the slot's next episode takes its first step right after it, in the
 * same visit. Every episode has exactly {@code trajectoryLength} steps (at least 2), so a slot's
 * episodes follow each other every {@code P = trajectoryLength - 1} rounds.
 *
 * <p>A group is the k-th episodes of {@code groupSize} consecutive slots. The slots are staggered
 * by starting late, slot {@code s} in round {@code P - 1 - ahead(s)}, with head starts {@code
 * ahead} spread evenly over {@code [0, P)} both across groups and across the members of a group. So
 * after round {@code P - 1} ({@link #fillSteps()} steps in) every slot holds an episode and their
 * positions are spread evenly over the episode; from then on exactly {@code openEpisodes} episodes
 * are open between visits (one fewer between an episode's last step and its successor's first),
 * holding about half an episode's steps each, and an even share of them ends in every round. A
 * group's members end up to {@code P} rounds apart, as a fleet's rollouts do, so the job holds the
 * finished members of about {@code openEpisodes / groupSize} groups as well. A steady state cannot
 * be reached with fewer steps: every step held must first be sent.
 *
 * <p>Each step draws its state key from {@code stateKeys} keys of its task (the GiGPO anchors; the
 * task's anchor memory sees up to that many) and its action from {@code actionTokens} tokens (the
 * OPRL PRM's features grow with them). The episode's outcome (1 or 0, on its last step) is drawn
 * too. Everything comes from one seeded generator, so a seed gives the same steps on every run.
 */
public final class OpenEpisodeGenerator implements Iterator<StepEvent> {

    /**
     * What to generate; the constructor rejects a shape that cannot be held, naming the setting.
     *
     * @param openEpisodes episodes open after every round; a multiple of {@code groupSize}
     * @param trajectoryLength steps per episode (after the staggered first ones)
     * @param groupSize episodes per group
     * @param tasks tasks the groups are spread over, round-robin
     * @param stateKeys distinct state keys per task
     * @param actionTokens distinct actions
     */
    public record Shape(
            int openEpisodes,
            int trajectoryLength,
            int groupSize,
            int tasks,
            int stateKeys,
            int actionTokens,
            long seed) {
        public Shape {
            positive("--group-size", groupSize);
            positive("open episodes", openEpisodes);
            if (openEpisodes % groupSize != 0) {
                throw new IllegalArgumentException(
                        "open episodes ("
                                + openEpisodes
                                + ") must be a multiple of --group-size ("
                                + groupSize
                                + "), so that every group's episodes are open together");
            }
            if (trajectoryLength < 2) {
                throw new IllegalArgumentException(
                        "trajectory length must be at least 2 (an episode's successor starts right"
                                + " after its last step), got "
                                + trajectoryLength);
            }
            positive("--tasks", tasks);
            positive("state keys", stateKeys);
            positive("action tokens", actionTokens);
        }

        private static void positive(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, got " + value);
            }
        }

        /** Groups open at once. */
        public int groupSlots() {
            return openEpisodes / groupSize;
        }
    }

    static final String EXPERIMENT = "growth";

    private final Shape shape;
    private final SplittableRandom random;
    // Per slot: the round it starts in, which of its episodes it is on and that episode's next
    // step index.
    private final int[] startRound;
    private final int[] generation;
    private final int[] position;
    private final long fillSteps;
    private int slot;
    private long round;
    private boolean successorDue;
    private long open;
    private long stepsEmitted;
    private long episodesDone;

    public OpenEpisodeGenerator(Shape shape) {
        this.shape = shape;
        this.random = new SplittableRandom(shape.seed());
        int slots = shape.openEpisodes();
        int groups = shape.groupSlots();
        int groupSize = shape.groupSize();
        int period = shape.trajectoryLength() - 1;
        startRound = new int[slots];
        generation = new int[slots];
        position = new int[slots];
        long fill = 0;
        for (int s = 0; s < slots; s++) {
            // Evenly spread over [0, period) across groups, and again across a group's members:
            // long arithmetic, as groups * period can pass 2^31.
            long acrossGroups = (long) (s / groupSize) * period / groups;
            long acrossMembers = (long) (s % groupSize) * period / groupSize;
            int ahead = (int) ((acrossGroups + acrossMembers) % period);
            startRound[s] = period - 1 - ahead;
            fill += ahead;
        }
        // Round P - 1 visits every slot once and ends no episode (none is past step P - 1 yet).
        fillSteps = fill + slots;
    }

    public Shape shape() {
        return shape;
    }

    /**
     * Steps sent until every slot holds an episode (the end of round {@code P - 1}): the sum of the
     * slots' head starts and one round, about {@code openEpisodes * trajectoryLength / 2}.
     */
    public long fillSteps() {
        return fillSteps;
    }

    /** Always true: the generator runs for as long as it is asked. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public StepEvent next() {
        if (successorDue) {
            // The slot's episode has just ended: its successor starts in the same visit.
            successorDue = false;
            generation[slot]++;
            StepEvent first = step(0);
            open++;
            position[slot] = 1;
            leaveSlot();
            return first;
        }
        // Skip the slots that have not started yet (only in the first rounds).
        while (round < startRound[slot]) {
            leaveSlot();
        }
        int index = position[slot];
        StepEvent step = step(index);
        if (index == 0) {
            open++;
        }
        if (step.getDone()) {
            open--;
            episodesDone++;
            successorDue = true;
        } else {
            position[slot] = index + 1;
            leaveSlot();
        }
        return step;
    }

    private StepEvent step(int index) {
        int g = slot / shape.groupSize();
        boolean done = index == shape.trajectoryLength() - 1;
        int task = g % shape.tasks();
        String group = "g" + g + "-" + generation[slot];
        String stateKey = "t" + task + "-s" + random.nextInt(shape.stateKeys());
        String action = "a" + random.nextInt(shape.actionTokens());
        double outcome = done ? random.nextInt(2) : 0.0;
        stepsEmitted++;
        return new StepEvent(
                EXPERIMENT,
                "task-" + task,
                group,
                group + "-e" + slot % shape.groupSize(),
                index,
                0L,
                stateKey,
                "at " + stateKey,
                action,
                outcome,
                false,
                done,
                done ? outcome : null,
                shape.groupSize(),
                null,
                null,
                null,
                null,
                0L,
                null,
                null);
    }

    private void leaveSlot() {
        slot++;
        if (slot == shape.openEpisodes()) {
            slot = 0;
            round++;
        }
    }

    /** Episodes begun and not yet done. */
    public long openEpisodes() {
        return open;
    }

    public long stepsEmitted() {
        return stepsEmitted;
    }

    public long episodesDone() {
        return episodesDone;
    }
}

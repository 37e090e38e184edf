package io.creditstream.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservationEncoderTest {

    private static final String SMALL =
            "@.#.G\n" + ".k.D.\n" + "../..\n" + "You hold nothing.\n" + "The door is locked.";

    private final ObservationEncoder small = new ObservationEncoder(3, 5);

    @Test
    void setsOneFeaturePerCellAtRowMajorCellTimesSevenPlusSymbol() {
        float[] features = small.encode(SMALL);

        assertThat(features).hasSize(3 * 5 * 7 + 2 + EgocentricFeatures.COUNT);
        // (row * 5 + col) * 7 + index in "#.@kD/G"
        List<Integer> expectedOnes =
                List.of(
                        0 * 7 + 2, // (0,0) '@'
                        1 * 7 + 1, // (0,1) '.'
                        2 * 7 + 0, // (0,2) '#'
                        3 * 7 + 1, // (0,3) '.'
                        4 * 7 + 6, // (0,4) 'G'
                        5 * 7 + 1, // (1,0) '.'
                        6 * 7 + 3, // (1,1) 'k'
                        7 * 7 + 1, // (1,2) '.'
                        8 * 7 + 4, // (1,3) 'D'
                        9 * 7 + 1, // (1,4) '.'
                        10 * 7 + 1, // (2,0) '.'
                        11 * 7 + 1, // (2,1) '.'
                        12 * 7 + 5, // (2,2) '/'
                        13 * 7 + 1, // (2,3) '.'
                        14 * 7 + 1); // (2,4) '.'
        assertThat(onesIn(grid(features, small))).containsExactlyElementsOf(expectedOnes);
        assertThat(features[105]).isZero();
        assertThat(features[106]).isZero();
    }

    @Test
    void setsTheKeyAndDoorFlagsLast() {
        float[] features =
                small.encode("@.#.G\n.k.D.\n../..\nYou hold the key.\nThe door is open.");

        assertThat(small.holdsKeyIndex()).isEqualTo(105);
        assertThat(small.doorOpenIndex()).isEqualTo(106);
        assertThat(features[105]).isEqualTo(1f);
        assertThat(features[106]).isEqualTo(1f);
    }

    @Test
    void addsWhatLiesAroundTheAgentAndWhereItsTargetsAre() {
        float[] features = small.encode(SMALL);
        int e = small.egocentricIndex();
        // Neighbours north, south, east, west of (0,0): [blocked, locked door, goal, key] each.
        float[] neighbours = java.util.Arrays.copyOfRange(features, e, e + 16);
        assertThat(neighbours)
                .containsExactly(
                        1, 0, 0, 0, /* south '.' */ 0, 0, 0, 0, /* east '.' */ 0, 0, 0, 0, 1, 0, 0,
                        0);
        // Targets [present, row -/0/+, col -/0/+]: key (1,1), door (1,3), goal (0,4), sub-goal =
        // key.
        float[] targets = java.util.Arrays.copyOfRange(features, e + 16, e + 44);
        assertThat(targets)
                .containsExactly(
                        1, 0, 0, 1, 0, 0, 1, // key: below, right
                        1, 0, 0, 1, 0, 0, 1, // door: below, right
                        1, 0, 1, 0, 0, 0, 1, // goal: same row, right
                        1, 0, 0, 1, 0, 0, 1); // sub-goal: the key
        assertThat(features[e + 44]).isZero(); // not standing on the key
        assertThat(features[e + 45]).isZero(); // not next to the locked door

        float[] onKeyNextToDoor =
                small.encode("..#.G\n..@D.\n../..\nYou hold nothing.\nThe door is locked.");
        assertThat(onKeyNextToDoor[e + 44]).isEqualTo(1f);
        assertThat(onKeyNextToDoor[e + 45]).isEqualTo(1f);
        // Holding the key, the sub-goal is the locked door.
        float[] holding =
                small.encode("..#.G\n..@D.\n../..\nYou hold the key.\nThe door is locked.");
        assertThat(java.util.Arrays.copyOfRange(holding, e + 37, e + 44))
                .containsExactly(1, 0, 1, 0, 0, 0, 1);
    }

    private static float[] grid(float[] features, ObservationEncoder encoder) {
        return java.util.Arrays.copyOf(features, encoder.holdsKeyIndex());
    }

    @Test
    void encodesTheDefaultSizedMaze() {
        ObservationEncoder encoder = new ObservationEncoder(7, 11);

        float[] features = encoder.encode(MazeObservations.AGENT_NEAR_KEY);

        assertThat(features).hasSize(7 * 11 * 7 + 2 + EgocentricFeatures.COUNT);
        assertThat(features[(1 * 11 + 1) * 7 + 2]).isEqualTo(1f); // '@' at (1,1)
        assertThat(features[(1 * 11 + 5) * 7 + 4]).isEqualTo(1f); // 'D' at (1,5)
        assertThat(onesIn(grid(features, encoder))).hasSize(77);
    }

    @Test
    void encodesABatchRowByRow() {
        String holdingKey = SMALL.replace("You hold nothing.", "You hold the key.");

        float[] batch = small.encodeBatch(List.of(SMALL, holdingKey));

        assertThat(batch).hasSize(2 * small.featureCount());
        assertThat(batch[105]).isZero();
        assertThat(batch[small.featureCount() + 105]).isEqualTo(1f);
    }

    @Test
    void rejectsAWrongNumberOfLines() {
        assertThatThrownBy(
                        () -> small.encode("@.#.G\n.k.D.\nYou hold nothing.\nThe door is locked."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 4 lines, expected 5");
        assertThatThrownBy(() -> small.encode(SMALL + "\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 6 lines, expected 5");
    }

    @Test
    void rejectsARowOfTheWrongWidthNamingTheLine() {
        String narrow = SMALL.replace(".k.D.", ".k.D");

        assertThatThrownBy(() -> small.encode(narrow))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2 has 4 cells, expected 5");
    }

    @Test
    void rejectsAnObservationOfAnotherMazeSize() {
        ObservationEncoder encoder = new ObservationEncoder(7, 11);

        assertThatThrownBy(() -> encoder.encode(SMALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 9")
                .hasMessageContaining("7 grid rows of 11 cells");
    }

    @Test
    void rejectsAnUnknownCharacterNamingLineColumnAndCharacter() {
        String bad = SMALL.replace(".k.D.", ".k.Dx");

        assertThatThrownBy(() -> small.encode(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2, column 5: bad character 'x'")
                .hasMessageContaining("#.@kD/G");
    }

    @Test
    void rejectsCarriageReturnsAsBadCharacters() {
        String windows = SMALL.replace("\n", "\r\n");

        assertThatThrownBy(() -> small.encode(windows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1 has 6 cells, expected 5");
    }

    @Test
    void rejectsUnknownKeyAndDoorLines() {
        assertThatThrownBy(
                        () -> small.encode(SMALL.replace("You hold nothing.", "You hold a key.")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 4 is \"You hold a key.\"")
                .hasMessageContaining("\"You hold the key.\" or \"You hold nothing.\"");
        assertThatThrownBy(() -> small.encode(SMALL.replace("The door is locked.", "door?")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 5 is \"door?\"");
    }

    @Test
    void namesTheBadObservationOfABatch() {
        assertThatThrownBy(() -> small.encodeBatch(List.of(SMALL, "nonsense")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("observation 1 of the batch:");
    }

    @Test
    void rejectsNullAndNonPositiveSizes() {
        assertThatThrownBy(() -> small.encode(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> new ObservationEncoder(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }

    private static List<Integer> onesIn(float[] features) {
        List<Integer> ones = new ArrayList<>();
        for (int i = 0; i < features.length; i++) {
            if (features[i] == 1f) {
                ones.add(i);
            } else {
                assertThat(features[i]).as("feature %d", i).isZero();
            }
        }
        return ones;
    }
}

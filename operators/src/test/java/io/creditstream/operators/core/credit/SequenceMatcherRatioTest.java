package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Ratios worked out by hand from difflib's algorithm (find the longest block, recurse left and
 * right of it; popular characters of a long second string cannot anchor a block).
 */
class SequenceMatcherRatioTest {

    @Test
    void emptyStringsAreIdentical() {
        assertThat(SequenceMatcherRatio.ratio("", "")).isEqualTo(1.0);
        assertThat(SequenceMatcherRatio.ratio("a", "")).isEqualTo(0.0);
        assertThat(SequenceMatcherRatio.ratio("", "a")).isEqualTo(0.0);
    }

    @Test
    void oneSharedBlock() {
        // "bcd" is the only block: 2·3 / 8.
        assertThat(SequenceMatcherRatio.ratio("abcd", "bcde")).isEqualTo(0.75);
    }

    @Test
    void theRatioIsNotSymmetric() {
        // tide→diet: the first longest block is a's "t" at b's end, which leaves nothing on
        // either side: 2·1/8. diet→tide: "d" at b[2] leaves "iet" against "e": 2·2/8.
        assertThat(SequenceMatcherRatio.ratio("tide", "diet")).isEqualTo(0.25);
        assertThat(SequenceMatcherRatio.ratio("diet", "tide")).isEqualTo(0.5);
    }

    @Test
    void blocksOnBothSidesOfTheLongestAreCounted() {
        // Longest "cde"; left "ab" against "a" gives "a"; right "fg" against "xg" gives "g".
        // 2·(3 + 1 + 1) / (7 + 7).
        assertThat(SequenceMatcherRatio.ratio("abcdefg", "acdexgy")).isEqualTo(10.0 / 14.0);
    }

    @Test
    void tiesGoToTheEarliestBlockInA() {
        // "ab" and "cd" are both longest; "ab" (earlier in a) wins, and "cd" lies before it in b,
        // so it is lost: 2·2 / 8.
        assertThat(SequenceMatcherRatio.ratio("abcd", "cdab")).isEqualTo(0.5);
        assertThat(SequenceMatcherRatio.ratio("cdab", "abcd")).isEqualTo(0.5);
    }

    @Test
    void autojunkHidesPopularCharactersOfALongSecondString() {
        String xs = "x".repeat(199);
        // b has 200 'x' (more than 200/100 + 1 = 3): no block can start on one. a starts with a
        // 'y', so the empty best match at (0, 0) cannot be extended either.
        assertThat(SequenceMatcherRatio.ratio("y" + xs, "x" + xs)).isEqualTo(0.0);
        assertThat(SequenceMatcherRatio.ratio("y" + xs, "x" + xs, false))
                .isEqualTo(2.0 * 199 / 400);
        // Equal strings: the empty match at (0, 0) extends over every popular character.
        assertThat(SequenceMatcherRatio.ratio("x" + xs, "x" + xs)).isEqualTo(1.0);
    }

    @Test
    void autojunkNeedsAtLeast200CharactersInTheSecondString() {
        String xs = "x".repeat(198);
        assertThat(SequenceMatcherRatio.ratio("y" + xs, "x" + xs)).isEqualTo(2.0 * 198 / 398);
    }

    @Test
    void charactersAreCodePointsAsInPython() {
        // U+1F600 is one Python character (two Java chars): 2·1 / (1 + 2).
        assertThat(SequenceMatcherRatio.ratio("\uD83D\uDE00", "\uD83D\uDE00a"))
                .isEqualTo(2.0 / 3.0);
    }

    @Test
    void quickRatioBoundsTheRatioFromAbove() {
        assertThat(SequenceMatcherRatio.quickRatioBound("tide", "diet")).isEqualTo(1.0);
        assertThat(SequenceMatcherRatio.quickRatioBound("abcd", "bcde")).isEqualTo(0.75);
        assertThat(SequenceMatcherRatio.quickRatioBound("", "")).isEqualTo(1.0);
        assertThat(SequenceMatcherRatio.quickRatioBound("ab", "")).isEqualTo(0.0);
    }
}

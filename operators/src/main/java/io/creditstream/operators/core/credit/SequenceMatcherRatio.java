package io.creditstream.operators.core.credit;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The similarity ratio of Python's {@code difflib.SequenceMatcher(None, a, b).ratio()}, reproduced
 * exactly so that GiGPO's similarity grouping clusters the same rows as the reference
 * (docs/ALGORITHMS.md §1.4).
 *
 * <p>The ratio is 2·M / (|a| + |b|) (1.0 when both are empty), where M is the number of characters
 * in the matching blocks that difflib finds: the longest matching block of the whole range, then
 * recursively the longest ones left and right of it. "Longest" is difflib's, not the longest common
 * substring: ties go to the block that starts earliest in {@code a}, then in {@code b}, and
 * characters that difflib's {@code autojunk} heuristic calls popular (when {@code b} has at least
 * 200 characters, those occurring more than |b|/100 + 1 times in it) cannot start or continue a
 * block's core, only extend it at its ends. The result is therefore not symmetric in a and b.
 *
 * <p>Strings are compared by Unicode code point, as Python indexes a {@code str}; there is no junk
 * predicate (the reference passes {@code None}).
 */
public final class SequenceMatcherRatio {

    /** difflib applies autojunk only to a second sequence at least this long. */
    static final int AUTOJUNK_MIN_LENGTH = 200;

    private final int[] a;
    private final int[] b;
    private final Map<Integer, int[]> positionsInB;
    // find_longest_match's j2len and newj2len, as arrays indexed by j + 1 whose entries count only
    // when stamped with the current (or previous) row: allocation-free and never cleared.
    private int[] lengths = new int[0];
    private int[] stamps = new int[0];
    private int[] nextLengths = new int[0];
    private int[] nextStamps = new int[0];
    private int tick;

    private SequenceMatcherRatio(int[] a, int[] b, boolean autojunk) {
        this.a = a;
        this.b = b;
        this.positionsInB = positionsOf(b, autojunk);
    }

    /** {@code difflib.SequenceMatcher(None, a, b).ratio()} (autojunk on, as by default). */
    public static double ratio(String a, String b) {
        return ratio(a, b, true);
    }

    /** {@code difflib.SequenceMatcher(None, a, b, autojunk=autojunk).ratio()}. */
    public static double ratio(String a, String b, boolean autojunk) {
        return ratio(a.codePoints().toArray(), b.codePoints().toArray(), autojunk);
    }

    /** {@link #ratio(String, String, boolean)} of two strings' code points. */
    static double ratio(int[] first, int[] second, boolean autojunk) {
        int length = first.length + second.length;
        if (length == 0) {
            return 1.0;
        }
        long matches = new SequenceMatcherRatio(first, second, autojunk).matchingCharacters();
        return 2.0 * matches / length;
    }

    /**
     * An upper bound of {@link #ratio(String, String)}: difflib's {@code quick_ratio()}, from the
     * characters the two strings share as multisets. Cheap enough to skip most comparisons that
     * cannot reach a threshold.
     */
    public static double quickRatioBound(String a, String b) {
        return quickRatioBound(a.codePoints().toArray(), b.codePoints().toArray());
    }

    /** {@link #quickRatioBound(String, String)} of two strings' code points. */
    static double quickRatioBound(int[] first, int[] second) {
        int length = first.length + second.length;
        if (length == 0) {
            return 1.0;
        }
        Map<Integer, Integer> available = new HashMap<>();
        for (int c : second) {
            available.merge(c, 1, Integer::sum);
        }
        long shared = 0;
        for (int c : first) {
            Integer left = available.get(c);
            if (left != null && left > 0) {
                available.put(c, left - 1);
                shared++;
            }
        }
        return 2.0 * shared / length;
    }

    /** b2j: the positions of each character of b, ascending, without the popular ones. */
    private static Map<Integer, int[]> positionsOf(int[] b, boolean autojunk) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int c : b) {
            counts.merge(c, 1, Integer::sum);
        }
        int popularAbove = Integer.MAX_VALUE;
        if (autojunk && b.length >= AUTOJUNK_MIN_LENGTH) {
            popularAbove = b.length / 100 + 1;
        }
        Map<Integer, int[]> positions = new HashMap<>();
        Map<Integer, Integer> filled = new HashMap<>();
        for (int j = 0; j < b.length; j++) {
            int count = counts.get(b[j]);
            if (count > popularAbove) {
                continue;
            }
            int[] list = positions.computeIfAbsent(b[j], c -> new int[count]);
            list[filled.merge(b[j], 1, Integer::sum) - 1] = j;
        }
        return positions;
    }

    /** The sum of the sizes of get_matching_blocks(). */
    private long matchingCharacters() {
        lengths = new int[b.length + 1];
        stamps = new int[b.length + 1];
        nextLengths = new int[b.length + 1];
        nextStamps = new int[b.length + 1];
        Arrays.fill(stamps, -1);
        Arrays.fill(nextStamps, -1);
        long total = 0;
        // The order difflib visits the sub-ranges in does not change the sum.
        ArrayDeque<int[]> ranges = new ArrayDeque<>();
        ranges.push(new int[] {0, a.length, 0, b.length});
        while (!ranges.isEmpty()) {
            int[] range = ranges.pop();
            int alo = range[0];
            int ahi = range[1];
            int blo = range[2];
            int bhi = range[3];
            int[] match = longestMatch(alo, ahi, blo, bhi);
            int i = match[0];
            int j = match[1];
            int k = match[2];
            if (k > 0) {
                total += k;
                if (alo < i && blo < j) {
                    ranges.push(new int[] {alo, i, blo, j});
                }
                if (i + k < ahi && j + k < bhi) {
                    ranges.push(new int[] {i + k, ahi, j + k, bhi});
                }
            }
        }
        return total;
    }

    /** difflib's find_longest_match(alo, ahi, blo, bhi) with no junk: {i, j, size}. */
    private int[] longestMatch(int alo, int ahi, int blo, int bhi) {
        int besti = alo;
        int bestj = blo;
        int bestSize = 0;
        // A fresh stamp per call: lengths left by an earlier call must not count as row i − 1.
        tick++;
        for (int i = alo; i < ahi; i++) {
            int previous = tick;
            int current = ++tick;
            int[] js = positionsInB.get(a[i]);
            if (js != null) {
                for (int j : js) {
                    if (j < blo) {
                        continue;
                    }
                    if (j >= bhi) {
                        break;
                    }
                    // j2len[j - 1], stored at index j.
                    int k = (stamps[j] == previous ? lengths[j] : 0) + 1;
                    nextLengths[j + 1] = k;
                    nextStamps[j + 1] = current;
                    if (k > bestSize) {
                        besti = i - k + 1;
                        bestj = j - k + 1;
                        bestSize = k;
                    }
                }
            }
            int[] swap = lengths;
            lengths = nextLengths;
            nextLengths = swap;
            swap = stamps;
            stamps = nextStamps;
            nextStamps = swap;
        }
        // Extend by equal characters on both ends. Popular characters are not junk to difflib, so
        // they extend a block here although they could not start one; with no junk predicate the
        // reference's second pair of loops (junk on either side) never runs.
        while (besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1]) {
            besti--;
            bestj--;
            bestSize++;
        }
        while (besti + bestSize < ahi
                && bestj + bestSize < bhi
                && a[besti + bestSize] == b[bestj + bestSize]) {
            bestSize++;
        }
        return new int[] {besti, bestj, bestSize};
    }
}

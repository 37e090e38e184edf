package io.creditstream.schemas.preflight;

import java.util.Collection;

/** The "did you mean" hint of a usage error about a misspelt setting name. */
public final class DidYouMean {
    /** Farther than this many edits, a known name is more likely a different setting. */
    static final int MAX_EDITS = 3;

    private DidYouMean() {}

    /**
     * {@code "; did you mean 'x'?"} for the known name closest to {@code key} (Levenshtein, the
     * first of equally close ones), or "" when none is within {@value #MAX_EDITS} edits.
     */
    public static String hint(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= MAX_EDITS ? "; did you mean '" + best + "'?" : "";
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] =
                        Math.min(
                                Math.min(current[j - 1] + 1, previous[j] + 1),
                                previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

package io.creditstream.operators.core.prm;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Maps one (state, action) step to the hashed sparse features φ of the implicit PRM: action n-grams
 * alone, crossed with the state key, and observation tokens crossed with action tokens (each family
 * can be left out with {@code prm.features}).
 *
 * <p>Feature strings are hashed with a fixed 64-bit function of their UTF-8 bytes (FNV-1a followed
 * by the SplitMix64 finaliser) into 2^{@code prm.hash-bits} buckets, so the same step maps to the
 * same buckets on every JVM, unlike {@link String#hashCode}. Values are occurrence counts.
 */
public final class PrmFeaturizer implements Serializable {

    private static final long serialVersionUID = 1L;

    // Separators that cannot occur in ordinary tokens keep "ab"+"c" apart from "a"+"bc".
    private static final char KIND = '\u0001';
    private static final char CROSS = '\u0002';
    private static final char JOIN = '\u0003';

    private final int hashBits;
    private final int ngram;
    private final boolean action;
    private final boolean stateAction;
    private final boolean observationAction;

    public PrmFeaturizer(PrmParams params) {
        Objects.requireNonNull(params, "params");
        this.hashBits = params.hashBits();
        this.ngram = params.ngram();
        this.action = params.features().contains(FeatureFamily.ACTION);
        this.stateAction = params.features().contains(FeatureFamily.STATE_ACTION);
        this.observationAction = params.features().contains(FeatureFamily.OBSERVATION_ACTION);
    }

    /**
     * The features of one step.
     *
     * @param stateKey identity of the state (observation without history), or null for none
     * @param observationTokens tokens of the current observation; may be empty
     * @param actionTokens tokens of the action; may be empty, which gives no features
     */
    public FeatureVector featurize(
            String stateKey, List<String> observationTokens, List<String> actionTokens) {
        Objects.requireNonNull(observationTokens, "observationTokens");
        Objects.requireNonNull(actionTokens, "actionTokens");
        Buckets buckets = new Buckets();
        int length = actionTokens.size();
        for (int n = 1; n <= ngram; n++) {
            for (int start = 0; start + n <= length; start++) {
                String gram = join(actionTokens, start, n);
                if (action) {
                    buckets.add(bucket("a" + KIND + gram));
                }
                if (stateAction && stateKey != null) {
                    buckets.add(bucket("s" + KIND + stateKey + CROSS + gram));
                }
            }
        }
        if (observationAction) {
            // Distinct observation tokens only, so a long repetitive observation does not swamp
            // the action features; crossed with action unigrams to keep the count linear in each
            // side.
            String[] observed = observationTokens.toArray(new String[0]);
            Arrays.sort(observed);
            for (int k = 0; k < observed.length; k++) {
                if (k > 0 && observed[k].equals(observed[k - 1])) {
                    continue;
                }
                for (String action : actionTokens) {
                    buckets.add(bucket("o" + KIND + observed[k] + CROSS + action));
                }
            }
        }
        return buckets.toVector();
    }

    /** A growable int array of bucket occurrences. */
    private static final class Buckets {
        private int[] values = new int[32];
        private int size;

        void add(int bucket) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = bucket;
        }

        FeatureVector toVector() {
            Arrays.sort(values, 0, size);
            return FeatureVector.ofSortedOccurrences(values, size);
        }
    }

    /** The bucket of one feature string. */
    public int bucket(String feature) {
        return (int) (hash64(feature.getBytes(StandardCharsets.UTF_8)) >>> (64 - hashBits));
    }

    /** FNV-1a 64 over the bytes, then the SplitMix64 finaliser to spread the high bits we keep. */
    static long hash64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }

    private static String join(List<String> tokens, int start, int n) {
        if (n == 1) {
            return Objects.requireNonNull(tokens.get(start), "action token");
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                sb.append(JOIN);
            }
            sb.append(Objects.requireNonNull(tokens.get(start + k), "action token"));
        }
        return sb.toString();
    }
}

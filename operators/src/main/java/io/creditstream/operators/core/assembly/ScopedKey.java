package io.creditstream.operators.core.assembly;

/**
 * Keys of episodes and groups scoped by their experiment, so that two experiments that both name a
 * group "g0" are never merged (and one learner never trains on another's samples).
 *
 * <p>The experiment id's length leads the key, which makes it unambiguous whatever characters the
 * ids hold: "a/b" + "c" and "a" + "b/c" give different keys.
 */
public final class ScopedKey {
    private ScopedKey() {}

    public static String of(String experimentId, String id) {
        return experimentId.length() + ":" + experimentId + "/" + id;
    }

    /** The experiment id a key was made from. */
    public static String experimentOf(String key) {
        int colon = key.indexOf(':');
        int length = Integer.parseInt(key.substring(0, colon));
        return key.substring(colon + 1, colon + 1 + length);
    }
}

package io.creditstream.schemas.trust;

import io.creditstream.schemas.PolicySnapshot;
import java.io.Serializable;
import java.security.PublicKey;

/**
 * Whether a reader may believe a {@link PolicySnapshot}: move its newest version, pace by it, load
 * its weights. The same rule in the job, the fleet and the learner.
 *
 * <ul>
 *   <li>With a public key, a snapshot must carry a valid signature by its private half: unsigned
 *       and forged ones are refused. Without one, signatures are not checked (the reader warns once
 *       that anyone who can write the topic moves the policy).
 *   <li>Either way a version outside 0..2^53, or more than {@code maxVersionJump} above the newest
 *       version the reader already believes, is refused: a learner publishes its versions in order,
 *       so a jump of thousands is a forgery or a corruption, and believing it would mark every
 *       later trajectory stale for good. Before a reader believes any version, the jump is measured
 *       from version 0, except for a verified signature: the key holder (a learner restarted
 *       against an empty topic, say) may start anywhere.
 * </ul>
 *
 * <p>Stateless: the reader keeps its newest believed version (the job in broadcast state).
 */
public final class SnapshotGate implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default of {@code max-version-jump}. */
    public static final long DEFAULT_MAX_VERSION_JUMP = 1000;

    /** Highest version believed: doubles in JSON and metrics keep integers exact up to 2^53. */
    public static final long MAX_VERSION = 1L << 53;

    /** What the gate decided, and why. */
    public enum Verdict {
        /** Signed with the configured key, or unsigned with no key configured; in range. */
        BELIEVED,
        /** A key is configured and the snapshot carries no signature. */
        UNSIGNED,
        /** A key is configured and the signature does not verify: forged or altered. */
        BAD_SIGNATURE,
        /** Version below 0 or above 2^53. */
        VERSION_OUT_OF_RANGE,
        /** Version more than max-version-jump above the newest believed one. */
        VERSION_JUMP;

        /** Whether the snapshot failed the signature check (as opposed to the version bounds). */
        public boolean unverified() {
            return this == UNSIGNED || this == BAD_SIGNATURE;
        }
    }

    /** X.509 bytes: a Flink operator carries the gate in its serialized form. */
    private final byte[] publicKeyX509;

    private final long maxVersionJump;
    private transient PublicKey publicKey;

    /**
     * @param publicKey the learner's public key, or null to believe unsigned snapshots
     * @param maxVersionJump the most a version may exceed the newest believed one, at least 1
     * @throws IllegalArgumentException for a jump below 1
     */
    public SnapshotGate(PublicKey publicKey, long maxVersionJump) {
        if (maxVersionJump < 1) {
            throw new IllegalArgumentException(
                    "max-version-jump must be at least 1 (versions), got " + maxVersionJump);
        }
        this.publicKeyX509 = publicKey == null ? null : publicKey.getEncoded();
        this.publicKey = publicKey;
        this.maxVersionJump = maxVersionJump;
    }

    /** Whether signatures are checked. */
    public boolean verifiesSignatures() {
        return publicKeyX509 != null;
    }

    /** The bound on a version's jump over the newest believed one. */
    public long maxVersionJump() {
        return maxVersionJump;
    }

    /**
     * Judges {@code snapshot} against the newest version of its experiment the reader believes.
     *
     * @param newestBelieved that version, or null before the first
     */
    public Verdict judge(PolicySnapshot snapshot, Long newestBelieved) {
        long version = snapshot.getVersion();
        if (version < 0 || version > MAX_VERSION) {
            return Verdict.VERSION_OUT_OF_RANGE;
        }
        boolean verified = false;
        if (publicKeyX509 != null) {
            if (SnapshotSignatures.signature(snapshot) == null) {
                return Verdict.UNSIGNED;
            }
            if (!SnapshotSignatures.verify(snapshot, publicKey())) {
                return Verdict.BAD_SIGNATURE;
            }
            verified = true;
        }
        if (newestBelieved == null && verified) {
            return Verdict.BELIEVED;
        }
        long base = newestBelieved == null ? 0 : Math.max(0, newestBelieved);
        if (version - base > maxVersionJump) {
            return Verdict.VERSION_JUMP;
        }
        return Verdict.BELIEVED;
    }

    /** One line for a log: why a snapshot was refused, without its signature bytes. */
    public String describeRefusal(PolicySnapshot snapshot, Verdict verdict, Long newestBelieved) {
        String what =
                "policy snapshot version "
                        + snapshot.getVersion()
                        + " of experiment '"
                        + snapshot.getExperimentId()
                        + "'";
        switch (verdict) {
            case UNSIGNED:
                return what
                        + " is unsigned, but this reader checks signatures: only the learner"
                        + " holding the signing key may publish";
            case BAD_SIGNATURE:
                return what
                        + " has a signature that does not verify with the configured key: forged,"
                        + " altered, or signed with another key";
            case VERSION_OUT_OF_RANGE:
                return what + " lies outside 0..2^53";
            case VERSION_JUMP:
                return what
                        + " jumps more than max-version-jump ("
                        + maxVersionJump
                        + ") above the newest believed version "
                        + (newestBelieved == null ? "(none yet, so above 0)" : newestBelieved);
            default:
                return what + " is believed";
        }
    }

    private PublicKey publicKey() {
        if (publicKey == null) {
            publicKey = SigningKeys.publicKey(publicKeyX509, "the snapshot public key");
        }
        return publicKey;
    }
}

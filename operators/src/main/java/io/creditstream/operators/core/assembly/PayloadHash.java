package io.creditstream.operators.core.assembly;

import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A 64-bit fingerprint of a step's bytes, remembered for completed episodes instead of the bytes
 * themselves: a step re-sent after its episode left is identical when its fingerprint matches.
 *
 * <p>Two different checksums side by side (both are intrinsics on x86 and cost little next to the
 * step's decoding). Not cryptographic: a forged collision could only make a conflicting re-send
 * count as an identical one, which is dropped either way.
 */
public final class PayloadHash {
    private PayloadHash() {}

    public static long of(byte[] payload) {
        CRC32C high = new CRC32C();
        high.update(payload);
        CRC32 low = new CRC32();
        low.update(payload);
        return (high.getValue() << 32) | low.getValue();
    }
}

package io.creditstream.policy.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A policy artifact whose bytes do not hash to the sha256 its snapshot announced: the file was
 * changed, truncated or replaced after publication, and must not be served to the fleet.
 */
public final class SnapshotIntegrityException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Path file;
    private final String expectedSha256;
    private final String actualSha256;

    SnapshotIntegrityException(Path file, String expectedSha256, String actualSha256) {
        super(
                "policy artifact "
                        + file
                        + " has sha256 "
                        + actualSha256
                        + " but its snapshot expects "
                        + expectedSha256
                        + "; the file was modified after publication");
        this.file = file;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    /** The artifact that failed the check. */
    public Path file() {
        return file;
    }

    /** The hash the snapshot announced. */
    public String expectedSha256() {
        return expectedSha256;
    }

    /** The hash of the bytes found. */
    public String actualSha256() {
        return actualSha256;
    }
}

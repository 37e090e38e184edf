package io.creditstream.policy.model;

import java.io.IOException;

/**
 * A snapshot whose artifact the store will not read at all: outside the store's root, not a regular
 * file, or not of the declared or an acceptable size. The snapshot record comes from a topic anyone
 * with write access can fill, so these are refusals of input, not I/O failures.
 */
public final class SnapshotRefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String artifactUri;

    SnapshotRefusedException(String artifactUri, String reason) {
        super("refused to read policy artifact " + artifactUri + ": " + reason);
        this.artifactUri = artifactUri;
    }

    /** The URI the snapshot named. */
    public String artifactUri() {
        return artifactUri;
    }
}

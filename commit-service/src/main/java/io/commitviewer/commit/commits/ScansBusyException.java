package io.commitviewer.commit.commits;

/** Every slot for the scans reads may start stayed taken ({@link ScanGate}): 503 with {@code Retry-After}. */
public class ScansBusyException extends RuntimeException {

    ScansBusyException(int slots) {
        super(slots + " searches are being computed on this instance: try again in a moment");
    }
}

package io.commitviewer.commit.fetch;

import io.commitviewer.common.git.FailureReason;

/** A fetch that cannot succeed as asked, for a reason the requester is told. */
class FetchFailure extends RuntimeException {

    private final FailureReason reason;
    private final boolean retryable;

    FetchFailure(FailureReason reason, String message, boolean retryable) {
        super(message);
        this.reason = reason;
        this.retryable = retryable;
    }

    FailureReason reason() {
        return reason;
    }

    boolean retryable() {
        return retryable;
    }
}

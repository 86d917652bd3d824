package io.commitviewer.common.git;

/** A git command failed; {@link #reason()} classifies it, the message is one line for a user. */
public class GitException extends RuntimeException {

    private final FailureReason reason;

    public GitException(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public GitException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }

    public boolean retryable() {
        return reason.retryable();
    }
}

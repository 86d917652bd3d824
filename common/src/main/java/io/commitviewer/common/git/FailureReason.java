package io.commitviewer.common.git;

/** Why fetching a repository failed; shared by the git wrapper, the events and the API. */
public enum FailureReason {
    REPOSITORY_NOT_FOUND(false),
    ACCESS_DENIED(false),
    TIMEOUT(true),
    TOO_LARGE(false),
    UNREACHABLE(true),
    GIT_ERROR(true);

    private final boolean retryable;

    FailureReason(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether trying again later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}

package io.commitviewer.common.git;

/** Why fetching a repository failed; shared by the git wrapper, the events and the API. */
public enum FailureReason {
    REPOSITORY_NOT_FOUND(false),
    ACCESS_DENIED(false),
    TIMEOUT(true),
    TOO_LARGE(false),
    UNREACHABLE(true),
    GIT_ERROR(true),
    /** Our side failed: the store or the broker did not answer, or a defect. */
    INTERNAL(true),
    /** The repository URL was refused by the policy (also checked by commit-service). */
    INVALID_URL(false),
    /** The repository's content cannot be read as commits: damaged, or crafted to break readers. */
    INVALID_REPOSITORY(false),
    /** The disk the mirrors live on is full, or below its free-space bound; the mirror is kept. */
    DISK_FULL(true),
    /** The git server said too many requests (HTTP 429); tried again later, the mirror is kept. */
    RATE_LIMITED(true),
    /**
     * The project was deleted before this fetch started: nothing was cloned. Reported so that the
     * key that asked for it no longer counts it in progress (issue 24, finding 1); no API shows it.
     */
    PROJECT_DELETED(false);

    private final boolean retryable;

    FailureReason(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether trying again later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}

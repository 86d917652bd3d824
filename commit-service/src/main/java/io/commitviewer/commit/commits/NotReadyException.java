package io.commitviewer.commit.commits;

import io.commitviewer.commit.project.ProjectState;
import java.time.Duration;

/**
 * The project has no commits to serve yet: its first fetch is queued or running (202 with
 * {@code Retry-After}), or it failed ({@code failure} set: 409 with the reason).
 */
public class NotReadyException extends RuntimeException {

    private final String projectId;
    private final ProjectState.Status status;
    private final String failureReason;
    private final Duration retryAfter;

    public NotReadyException(String projectId, ProjectState.Status status, String failureReason, String message, Duration retryAfter) {
        super(message);
        this.projectId = projectId;
        this.status = status;
        this.failureReason = failureReason;
        this.retryAfter = retryAfter;
    }

    public String projectId() {
        return projectId;
    }

    public ProjectState.Status status() {
        return status;
    }

    public String failureReason() {
        return failureReason;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

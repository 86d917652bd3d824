package io.commitviewer.project.project;

import io.commitviewer.common.git.FailureReason;
import java.time.Instant;
import java.util.UUID;

/**
 * A project as the API shows it. {@code status}, {@code statusReason}, {@code lastError} and
 * {@code fetch} follow the latest fetch; the counts and {@code lastFetchedAt} describe the last
 * successful one. {@code statusReason} is why the fetch that is queued or running was requested
 * (null when none is).
 */
record ProjectResponse(UUID id, String url, String owner, String name, ProjectStatus status, FetchReason statusReason,
        Long commitCount, Integer branchCount, Instant lastFetchedAt, LastError lastError, FetchResponse fetch,
        Instant createdAt, Instant updatedAt) {

    record LastError(FailureReason reason, String message) {
    }

    /** The latest fetch: what a refresh returns while one is queued or running. */
    record FetchResponse(UUID id, FetchStatus status, FetchReason reason, Instant requestedAt, Instant startedAt,
            Instant finishedAt) {
    }

    static ProjectResponse of(ProjectService.ProjectView view) {
        Project p = view.project();
        Fetch f = view.fetch();
        FetchReason statusReason = f != null && f.status().inProgress() ? f.reason() : null;
        return new ProjectResponse(p.id(), p.url(), p.owner(), p.name(), p.status(), statusReason, p.commitCount(),
                p.branchCount(), p.lastFetchedAt(),
                p.lastErrorReason() == null ? null : new LastError(p.lastErrorReason(), p.lastErrorMessage()),
                f == null ? null : new FetchResponse(f.id(), f.status(), f.reason(), f.requestedAt(), f.startedAt(), f.finishedAt()),
                p.createdAt(), p.updatedAt());
    }
}

package io.commitviewer.project.project;

import io.commitviewer.common.events.FetchPhase;
import io.swagger.v3.oas.annotations.media.Schema;
import io.commitviewer.common.git.FailureReason;
import java.time.Instant;
import java.util.UUID;

/**
 * A project as the API shows it. {@code status}, {@code statusReason}, {@code lastError} and
 * {@code fetch} follow the latest fetch; the counts and {@code lastFetchedAt} describe the last
 * successful one. {@code statusReason} is why the fetch that is queued or running was requested
 * (null when none is).
 */
record ProjectResponse(UUID id, String url, String owner, String name, ProjectStatus status, @Schema(nullable = true) FetchReason statusReason,
        @Schema(nullable = true) Long commitCount, @Schema(nullable = true) Integer branchCount, @Schema(nullable = true) Instant lastFetchedAt, @Schema(nullable = true) LastError lastError,
        @Schema(nullable = true) FetchResponse fetch, Instant createdAt, Instant updatedAt) {

    record LastError(FailureReason reason, String message) {
    }

    /**
     * The latest fetch: what a refresh returns while one is queued or running.
     *
     * @param phase         while it runs: CLONING, LISTING or STORING (null before its first progress and once it ended)
     * @param commitsStored while it runs: the commits it listed and stored so far
     * @param firstLook     while a first fetch runs: true once commit-service serves a first look at its newest
     *                      commits (the listing's first page, {@code complete: false}; ADR 0012)
     */
    record FetchResponse(UUID id, FetchStatus status, FetchReason reason, Instant requestedAt,
            @Schema(nullable = true) Instant startedAt, @Schema(nullable = true) Instant finishedAt,
            @Schema(nullable = true) FetchPhase phase, @Schema(nullable = true) Long commitsStored, boolean firstLook) {
    }

    static ProjectResponse of(ProjectService.ProjectView view) {
        Project p = view.project();
        Fetch f = view.fetch();
        FetchReason statusReason = f != null && f.status().inProgress() ? f.reason() : null;
        return new ProjectResponse(p.id(), p.url(), p.owner(), p.name(), p.status(), statusReason, p.commitCount(),
                p.branchCount(), p.lastFetchedAt(),
                p.lastErrorReason() == null ? null : new LastError(p.lastErrorReason(), p.lastErrorMessage()),
                f == null ? null : new FetchResponse(f.id(), f.status(), f.reason(), f.requestedAt(), f.startedAt(), f.finishedAt(),
                        f.phase(), f.commitsStored(), f.firstLook()),
                p.createdAt(), p.updatedAt());
    }
}

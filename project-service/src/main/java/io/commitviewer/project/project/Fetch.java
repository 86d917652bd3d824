package io.commitviewer.project.project;

import io.commitviewer.common.events.FetchPhase;
import io.commitviewer.common.git.FailureReason;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** One request for a project's commits and what became of it. */
@Entity
@Table(name = "fetches")
class Fetch {

    @Id
    private UUID id;

    @Column(name = "project_id")
    private UUID projectId;

    @Enumerated(EnumType.STRING)
    private FetchStatus status;

    @Enumerated(EnumType.STRING)
    private FetchReason reason;

    /** The API key that asked for it (null: the open mode, or the service itself). */
    @Column(name = "requested_by")
    private String requestedBy;

    @Column(name = "requested_at")
    private Instant requestedAt;

    @Column(name = "started_at")
    private Instant startedAt;

    @Column(name = "finished_at")
    private Instant finishedAt;

    @Column(name = "commit_count")
    private Long commitCount;

    @Column(name = "new_commit_count")
    private Long newCommitCount;

    @Column(name = "branch_count")
    private Integer branchCount;

    @Column(name = "duration_ms")
    private Long durationMs;

    @Enumerated(EnumType.STRING)
    @Column(name = "error_reason")
    private FailureReason errorReason;

    @Column(name = "error_message")
    private String errorMessage;

    /** How far it is while it runs: written by {@link Fetches#recordProgress} alone, never by saving the entity. */
    @Enumerated(EnumType.STRING)
    @Column(name = "phase", insertable = false, updatable = false)
    private FetchPhase phase;

    @Column(name = "commits_stored", insertable = false, updatable = false)
    private Long commitsStored;

    @Column(name = "first_look", insertable = false, updatable = false)
    private boolean firstLook;

    /** Null until persisted, so that saving a new fetch is one INSERT (no merge look-up). */
    @Version
    private Long version;

    protected Fetch() {
    }

    Fetch(UUID id, UUID projectId, Instant requestedAt, FetchReason reason) {
        this(id, projectId, requestedAt, reason, null);
    }

    Fetch(UUID id, UUID projectId, Instant requestedAt, FetchReason reason, String requestedBy) {
        this.id = id;
        this.projectId = projectId;
        this.requestedAt = requestedAt;
        this.reason = reason;
        this.requestedBy = requestedBy;
        this.status = FetchStatus.QUEUED;
    }

    UUID id() {
        return id;
    }

    UUID projectId() {
        return projectId;
    }

    FetchStatus status() {
        return status;
    }

    Instant requestedAt() {
        return requestedAt;
    }

    FetchReason reason() {
        return reason;
    }

    Instant startedAt() {
        return startedAt;
    }

    Instant finishedAt() {
        return finishedAt;
    }

    Long commitCount() {
        return commitCount;
    }

    Integer branchCount() {
        return branchCount;
    }

    /** The phase while it runs (null before its first progress, and once it ended). */
    FetchPhase phase() {
        return status.inProgress() ? phase : null;
    }

    /** The commits it stored so far while it runs (null before its first progress, and once it ended). */
    Long commitsStored() {
        return status.inProgress() ? commitsStored : null;
    }

    /** Whether, while it runs, commit-service serves a first look at its newest commits (ADR 0012). */
    boolean firstLook() {
        return status.inProgress() && firstLook;
    }

    FailureReason errorReason() {
        return errorReason;
    }

    String errorMessage() {
        return errorMessage;
    }

    /** True while queued or running and not older than {@code staleAfter}. */
    boolean blocksRefresh(Instant now, java.time.Duration staleAfter) {
        return status.inProgress() && requestedAt.plus(staleAfter).isAfter(now);
    }

    /** Marks it started; false if it already got further (events can arrive out of order). */
    boolean start(Instant at) {
        if (status != FetchStatus.QUEUED) {
            return false;
        }
        status = FetchStatus.FETCHING;
        startedAt = at;
        return true;
    }

    /** Records success; false if a later outcome of this fetch is already recorded. */
    boolean succeed(Instant at, long commits, long newCommits, int branches, long duration) {
        if (finishedAt != null && !at.isAfter(finishedAt)) {
            return false;
        }
        status = FetchStatus.SUCCEEDED;
        finishedAt = at;
        commitCount = commits;
        newCommitCount = newCommits;
        branchCount = branches;
        durationMs = duration;
        errorReason = null;
        errorMessage = null;
        return true;
    }

    /**
     * Ends a fetch still queued or running long after it was requested, which a new fetch of the
     * project replaces: its request was lost, or its result never came (issue 23, finding 10). A
     * result that comes later still counts ({@link #succeed}, {@link #fail} take a later outcome).
     */
    void supersede(Instant at, UUID by, java.time.Duration staleAfter) {
        if (status.inProgress()) {
            status = FetchStatus.FAILED;
            finishedAt = at;
            errorReason = FailureReason.TIMEOUT;
            errorMessage = "no result within " + staleAfter + "; superseded by fetch " + by;
        }
    }

    /** Records failure; false if a later outcome of this fetch is already recorded. */
    boolean fail(Instant at, FailureReason reason, String message) {
        if (finishedAt != null && !at.isAfter(finishedAt)) {
            return false;
        }
        status = FetchStatus.FAILED;
        finishedAt = at;
        errorReason = reason;
        errorMessage = message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
        return true;
    }
}

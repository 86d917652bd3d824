package io.commitviewer.project.project;

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

/** A repository whose commits are kept; its status is that of its latest fetch. */
@Entity
@Table(name = "projects")
class Project {

    @Id
    private UUID id;

    private String url;

    @Column(name = "identity_key")
    private String identityKey;

    private String owner;

    private String name;

    @Enumerated(EnumType.STRING)
    private ProjectStatus status;

    @Column(name = "current_fetch_id")
    private UUID currentFetchId;

    @Column(name = "commit_count")
    private Long commitCount;

    @Column(name = "branch_count")
    private Integer branchCount;

    @Column(name = "last_fetched_at")
    private Instant lastFetchedAt;

    /** When the fetch behind the counts was requested: an older fetch never overwrites them. */
    @Column(name = "last_success_requested_at")
    private Instant lastSuccessRequestedAt;

    /** The commit store's epoch and sequence of the last success (ADR 0006); null when unknown or being recovered. */
    @Column(name = "store_epoch")
    private UUID storeEpoch;

    @Column(name = "store_sequence")
    private Long storeSequence;

    @Enumerated(EnumType.STRING)
    @Column(name = "last_error_reason")
    private FailureReason lastErrorReason;

    @Column(name = "last_error_message")
    private String lastErrorMessage;

    /** The API key that added it (null: added in the open mode); only it, or an admin key, may change it. */
    @Column(name = "owner_key")
    private String ownerKey;

    @Version
    private long version;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected Project() {
    }

    /** A new project whose first fetch is queued (the service inserts through {@link Projects#insertIfAbsent}). */
    Project(UUID id, String url, String identityKey, String owner, String name, UUID fetchId, Instant now, String ownerKey) {
        this.id = id;
        this.ownerKey = ownerKey;
        this.url = url;
        this.identityKey = identityKey;
        this.owner = owner;
        this.name = name;
        this.status = ProjectStatus.QUEUED;
        this.currentFetchId = fetchId;
        this.createdAt = now;
        this.updatedAt = now;
    }

    UUID id() {
        return id;
    }

    String url() {
        return url;
    }

    String owner() {
        return owner;
    }

    String name() {
        return name;
    }

    ProjectStatus status() {
        return status;
    }

    UUID currentFetchId() {
        return currentFetchId;
    }

    Long commitCount() {
        return commitCount;
    }

    Integer branchCount() {
        return branchCount;
    }

    Instant lastFetchedAt() {
        return lastFetchedAt;
    }

    FailureReason lastErrorReason() {
        return lastErrorReason;
    }

    String lastErrorMessage() {
        return lastErrorMessage;
    }

    Instant createdAt() {
        return createdAt;
    }

    String ownerKey() {
        return ownerKey;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    /** A new fetch was requested: it is now the one the status follows. */
    void queue(UUID fetchId, Instant now) {
        currentFetchId = fetchId;
        status = ProjectStatus.QUEUED;
        updatedAt = now;
    }

    /** The current fetch moved on. */
    void follow(Fetch fetch, Instant now) {
        if (fetch.id().equals(currentFetchId)) {
            status = fetch.status().asProjectStatus();
            if (fetch.status() == FetchStatus.SUCCEEDED) {
                lastErrorReason = null;
                lastErrorMessage = null;
            } else if (fetch.status() == FetchStatus.FAILED) {
                lastErrorReason = fetch.errorReason();
                lastErrorMessage = fetch.errorMessage();
            }
            updatedAt = now;
        }
    }

    /**
     * A fetch succeeded: its counts, and where it lies in the commit store's history, describe the
     * project unless a newer fetch already succeeded.
     */
    boolean recordSuccess(Fetch fetch, Instant fetchedAt, Instant now, UUID epoch, Long sequence) {
        if (lastSuccessRequestedAt != null && fetch.requestedAt().isBefore(lastSuccessRequestedAt)) {
            return false;
        }
        lastSuccessRequestedAt = fetch.requestedAt();
        commitCount = fetch.commitCount();
        branchCount = fetch.branchCount();
        lastFetchedAt = fetchedAt;
        storeEpoch = epoch;
        storeSequence = sequence;
        updatedAt = now;
        return true;
    }

    /**
     * The commit store lost this project: a recovery fetch is queued. The recorded epoch is
     * forgotten, so that a recovery that fails is not queued again at every announcement.
     */
    void queueRecovery(UUID fetchId, Instant now) {
        queue(fetchId, now);
        storeEpoch = null;
        storeSequence = null;
    }
}

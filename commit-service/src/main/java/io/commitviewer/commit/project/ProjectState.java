package io.commitviewer.commit.project;

import io.commitviewer.common.git.FailureReason;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What commit-service keeps of a project besides its commits and branches: the status of its
 * latest fetch, what its last successful fetch left to serve, the fetch in progress and the last
 * failure. Immutable: each transition returns the next state; {@link ProjectStates} stores it.
 *
 * @param projectId     the project's id
 * @param repositoryUrl the URL its fetches use
 * @param status        the status of its latest fetch
 * @param served        what the last successful fetch left to serve, or null before the first
 * @param current       the fetch in progress, or null
 * @param lastError     the last failure, or null (cleared by a success)
 * @param reported      the result events of the latest fetches, newest first, recorded before they were published
 * @param storeEpoch    the commit store's epoch this state was written in (ADR 0006); null before epochs
 */
public record ProjectState(String projectId, String repositoryUrl, Status status, Served served, Current current,
        LastError lastError, List<Reported> reported, UUID storeEpoch) {

    /** How many fetches' results are remembered, to be published again, identical, if their request comes again. */
    static final int REPORTED_KEPT = 10;

    /** The status of a project's latest fetch, as commit-service and its API see it. */
    public enum Status {
        /** A fetch is requested and not started here yet (known from project-service). */
        QUEUED,
        FETCHING,
        READY,
        FAILED
    }

    /**
     * What a successful fetch left to serve.
     *
     * @param fetchId        the fetch that succeeded
     * @param tips           the distinct tips of the branches and the commits of the tags it stored (the tips of
     *                       the graph it wrote), from which the next refresh lists what is new
     * @param totalCount     commits on the branches (a commit only a tag reaches is not counted: ADR 0011)
     * @param branchCount    branches
     * @param fetchStartedAt when that fetch started on this service
     * @param succeededAt    when it ended
     * @param storeSequence  its place in the store's epoch (ADR 0006); null before epochs
     * @param branchGeneration the generation of the branches it wrote, the ones to read (its attempt's id);
     *                       null for branches written before generations
     * @param skippedTags    tags it did not store: on a tree or a blob, or over the limit ({@code max-tags})
     * @param refsDigest     a digest of its branches and tags, names and tips ({@link #digestOf}): what every listing
     *                       of it is a function of, so equal for two fetches that serve the same listings; null for
     *                       a state written before it
     */
    public record Served(String fetchId, List<String> tips, long totalCount, int branchCount, Instant fetchStartedAt,
            Instant succeededAt, Long storeSequence, String branchGeneration, long skippedTags, String refsDigest) {
        public Served {
            tips = List.copyOf(tips);
        }

        public Served(String fetchId, List<String> tips, long totalCount, int branchCount, Instant fetchStartedAt,
                Instant succeededAt, Long storeSequence, String branchGeneration, long skippedTags) {
            this(fetchId, tips, totalCount, branchCount, fetchStartedAt, succeededAt, storeSequence, branchGeneration, skippedTags, null);
        }

        /**
         * What the listings of this fetch are a function of: its refs (a commit never changes, and the
         * commits a listing holds are those its refs reach), or the fetch itself for a state without a digest.
         */
        public String listingsVersion() {
            return refsDigest != null ? "refs:" + refsDigest : "fetch:" + fetchId;
        }

        /** A digest (SHA-256, base64url) of branches and tags: {@code kind name tip} per ref, in this order. */
        public static String digestOf(List<String> branchLines, List<String> tagLines) {
            try {
                java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
                for (List<String> lines : List.of(branchLines, tagLines)) {
                    for (String line : lines) {
                        digest.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        digest.update((byte) 0);
                    }
                    digest.update((byte) 1);
                }
                return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The fetch in progress.
     *
     * @param fetchId   the fetch
     * @param startedAt when it first started on this service: its deadline counts from here, also after a
     *                  redelivery of its request
     * @param attempts  attempts started so far, also before a redelivery
     * @param attemptId the attempt that writes commits, recorded before its first write, so that the next fetch
     *                  takes back what an attempt that never finished (killed, store down) wrote; null until then
     */
    public record Current(String fetchId, Instant startedAt, int attempts, String attemptId) {
    }

    /** The last failure: its reason, a message for a person, the fetch and when. */
    public record LastError(FailureReason reason, String message, String fetchId, Instant at) {
    }

    /** The one result event of a fetch (its routing key and JSON), as it was published. */
    public record Reported(String fetchId, String type, String event) {
    }

    public ProjectState {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(status, "every state has a status");
        reported = reported == null ? List.of() : List.copyOf(reported);
    }

    /** The result already reported for {@code fetchId}, if any. */
    public java.util.Optional<Reported> reportedFor(String fetchId) {
        return reported.stream().filter(r -> r.fetchId().equals(fetchId)).findFirst();
    }

    /** With {@code result} remembered (the oldest forgotten beyond {@value #REPORTED_KEPT}). */
    public ProjectState reporting(Reported result) {
        List<Reported> next = new java.util.ArrayList<>(REPORTED_KEPT);
        next.add(result);
        reported.stream().filter(r -> !r.fetchId().equals(result.fetchId())).limit(REPORTED_KEPT - 1).forEach(next::add);
        return new ProjectState(projectId, repositoryUrl, status, served, current, lastError, next, storeEpoch);
    }

    /** True once a fetch succeeded: there are commits to serve. */
    public boolean ready() {
        return served != null;
    }

    /**
     * Fetch {@code fetchId} starts, or goes on where a delivery of its request that never ended left it
     * (same start, same attempt count); the attempt that delivery recorded is forgotten, so the caller takes
     * back what it wrote first.
     */
    public ProjectState started(String url, String fetchId, Instant now, UUID epoch) {
        Current next = current != null && current.fetchId().equals(fetchId)
                ? new Current(fetchId, current.startedAt(), current.attempts(), null)
                : new Current(fetchId, now, 0, null);
        return new ProjectState(projectId, url, Status.FETCHING, served, next, lastError, reported, epoch);
    }

    /** The fetch in progress is about to write commits as {@code attemptId}, its next attempt. */
    public ProjectState attempting(String attemptId) {
        Objects.requireNonNull(current, "no fetch in progress");
        return new ProjectState(projectId, repositoryUrl, status, served,
                new Current(current.fetchId(), current.startedAt(), current.attempts() + 1, attemptId), lastError, reported, storeEpoch);
    }

    /** The attempt in progress took back what it wrote: nothing is left to clean up after it. */
    public ProjectState attemptUndone() {
        Objects.requireNonNull(current, "no fetch in progress");
        return new ProjectState(projectId, repositoryUrl, status, served,
                new Current(current.fetchId(), current.startedAt(), current.attempts(), null), lastError, reported, storeEpoch);
    }

    /** The fetch in progress succeeded and left {@code next} to serve. */
    public ProjectState succeeded(Served next) {
        return new ProjectState(projectId, repositoryUrl, Status.READY, next, null, null, reported, storeEpoch);
    }

    /**
     * A fetch failed: what was served stays served (READY); a project never fetched is FAILED. An
     * attempt not taken back yet stays named, for the next fetch to take back.
     */
    public ProjectState failed(FailureReason reason, String message, String fetchId, Instant at) {
        Current left = current != null && current.attemptId() != null ? current : null;
        return new ProjectState(projectId, repositoryUrl, served != null ? Status.READY : Status.FAILED, served, left,
                new LastError(reason, message, fetchId, at), reported, storeEpoch);
    }

    /** The state of a project with none yet in this epoch, before anything happened to it. */
    public static ProjectState none(String projectId, String repositoryUrl, UUID epoch) {
        return new ProjectState(projectId, repositoryUrl, Status.QUEUED, null, null, null, List.of(), epoch);
    }
}

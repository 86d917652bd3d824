package io.commitviewer.commit.fetch;

import io.commitviewer.commit.commits.CommitStore;
import io.commitviewer.commit.commits.StoreIdentities;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.common.git.Branch;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.Mirror;
import io.commitviewer.common.url.RepositoryUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a project's stored commits to exactly the set reachable from the repository's branches.
 *
 * <p>First fetch (or a mirror cloned afresh): every commit is listed and inserted, and stored
 * commits git no longer has are removed. Refresh: only the commits new since the stored tips are
 * listed and inserted, then those that left every branch are removed. The stored tips, branches
 * and total change last, so a failed refresh leaves the previous set served: the commits it
 * inserted carry the id of this attempt (a random id, never reused, so that no other attempt,
 * not even a redelivery of the same request, can take back what it did not insert) and are
 * deleted again.
 */
class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    private final CommitStore store;
    private final StoreIdentities identities;
    private final MirrorCache mirrors;
    private final CommitServiceProperties.Ingest settings;
    private final Counter ingested;

    Ingestion(CommitStore store, StoreIdentities identities, MirrorCache mirrors, CommitServiceProperties.Ingest settings,
            MeterRegistry meters) {
        this.store = store;
        this.identities = identities;
        this.mirrors = mirrors;
        this.settings = settings;
        this.ingested = Counter.builder("commitviewer.commits.ingested").description("Commits written to the store")
                .register(meters);
    }

    /** What a successful fetch stored, and its place in the store's epoch (ADR 0006). */
    record Result(long commitCount, long newCommitCount, int branchCount, long storeSequence) {
    }

    /** Ingests and, last, records the new state (tips, counts, store sequence) of the project. */
    Result ingest(String projectId, RepositoryUrl url, String fetchId, Document state, Instant startedAt, UUID epoch) {
        List<String> storedTips = state == null ? List.of() : state.getList("tips", String.class, List.of());
        boolean hasData = state != null && Boolean.TRUE.equals(state.getBoolean("ready"));
        String attempt = UUID.randomUUID().toString();
        return mirrors.withMirror(url, update -> {
            Mirror mirror = update.mirror();
            boolean incremental = hasData && !update.cloned();
            long added;
            long total;
            if (incremental) {
                // the new total follows from the old one: |new| = |old| + |listed since the old tips| - |left every
                // branch|, so a refresh costs what changed, not what the history holds (no rev-list --count)
                Counts counts = refresh(projectId, attempt, mirror, storedTips, ((Number) state.get("totalCount")).longValue());
                added = counts.inserted();
                total = counts.total();
            } else {
                Counts counts = full(projectId, attempt, mirror, hasData);
                added = counts.inserted();
                total = counts.total();
            }
            List<Branch> branches = update.after();
            store.replaceBranches(projectId, branches);
            // a store that lost data while this fetch ran may hold only part of what it wrote: no success then
            long sequence = identities.nextSequence(epoch).orElseThrow(() -> new FetchFailure(FailureReason.GIT_ERROR,
                    "the commit store lost data while this fetch ran; it is fetched again", true));
            Result result = new Result(total, added, branches.size(), sequence);
            store.saveProject(readyState(projectId, url.canonical(), fetchId, result, branches, startedAt, Instant.now(), epoch));
            ingested.increment(added);
            return result;
        });
    }

    private FetchFailure tooLarge(long commits) {
        return new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + (commits > settings.maxCommits() ? "more than " + settings.maxCommits() : commits)
                + " commits on its branches; the limit is " + settings.maxCommits(), false);
    }

    private record Counts(long total, long inserted) {
    }

    /**
     * Lists every commit, inserts what is missing, removes what git no longer has. If it fails
     * before the removals are done, what it inserted is removed again: everything, before anything
     * was ever served; otherwise the commits this attempt inserted, so the previous set stays
     * served as it was.
     */
    private Counts full(String projectId, String attempt, Mirror mirror, boolean hasData) {
        ShaSet current = new ShaSet();
        long inserted;
        Deletions gone = new Deletions(projectId);
        BatchWriter writer = new BatchWriter(store, projectId, attempt, settings.batchSize());
        try {
            mirror.forEachCommit(commit -> {
                if (current.size() >= settings.maxCommits()) {
                    throw tooLarge(current.size() + 1L); // stops git; what was written is removed below
                }
                current.add(commit.sha());
                writer.add(commit);
                return true;
            });
            inserted = writer.finish();
            store.forEachSha(projectId, sha -> {
                if (!current.contains(sha)) {
                    gone.add(sha);
                }
            });
            gone.flush();
        } catch (RuntimeException | InterruptedException e) {
            writer.close();
            if (hasData) {
                store.deleteInsertedBy(projectId, attempt);
            } else {
                store.deleteCommits(projectId);
            }
            throw asFailure(e);
        }
        log.info("Listed {} commits, {} new, {} removed", current.size(), inserted, gone.count);
        return new Counts(current.size(), inserted);
    }

    /**
     * Inserts the commits new since the stored tips, then removes those that left every branch.
     * A failure before the removals are all done (the repository grew over the limit, git or
     * MongoDB failed) takes the inserts back, so the previous set stays served; removals already
     * made were of commits that did leave, and the next refresh, from the same stored tips,
     * removes them again (a no-op) and counts them again. Returns the new total and the number of
     * commits inserted.
     */
    private Counts refresh(String projectId, String attempt, Mirror mirror, List<String> storedTips, long previousTotal) {
        long[] listed = {0};
        long inserted;
        Deletions gone = new Deletions(projectId);
        try (BatchWriter writer = new BatchWriter(store, projectId, attempt, settings.batchSize())) {
            try {
                long leaving = mirror.forEachRemovedCommit(storedTips, sha -> { }); // counted first, removed last
                mirror.forEachCommitSince(storedTips, commit -> {
                    listed[0]++;
                    long total = previousTotal + listed[0] - leaving;
                    if (total > settings.maxCommits()) {
                        throw tooLarge(total); // stops git; the inserts are taken back below
                    }
                    writer.add(commit);
                    return true;
                });
                inserted = writer.finish();
                mirror.forEachRemovedCommit(storedTips, gone::add);
                gone.flush();
            } catch (RuntimeException | InterruptedException e) {
                writer.close();
                store.deleteInsertedBy(projectId, attempt);
                throw asFailure(e);
            }
        }
        log.info("Refresh: {} new commits, {} removed", inserted, gone.count);
        return new Counts(previousTotal + listed[0] - gone.count, inserted);
    }

    private static RuntimeException asFailure(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new FetchFailure(FailureReason.GIT_ERROR, "interrupted", true);
        }
        return (RuntimeException) e;
    }

    /** Deletes streamed shas in batches, so that a large removal never sits in memory. */
    private final class Deletions {
        private final String projectId;
        private final List<String> pending = new ArrayList<>();
        private long count;

        Deletions(String projectId) {
            this.projectId = projectId;
        }

        void add(String sha) {
            pending.add(sha);
            count++;
            if (pending.size() == settings.batchSize()) {
                flush();
            }
        }

        void flush() {
            store.delete(projectId, pending);
            pending.clear();
        }
    }

    /** The project state after a successful fetch. */
    static Document readyState(String projectId, String repositoryUrl, String fetchId, Result result, List<Branch> branches,
            Instant startedAt, Instant finishedAt, UUID epoch) {
        return new Document("_id", projectId).append(StoreIdentities.STATE_EPOCH, epoch.toString())
                .append(StoreIdentities.STATE_SEQUENCE, result.storeSequence()).append("repositoryUrl", repositoryUrl).append("status", "READY")
                .append("ready", true).append("fetchId", fetchId)
                .append("tips", branches.stream().map(Branch::tip).distinct().toList())
                .append("totalCount", result.commitCount()).append("branchCount", result.branchCount())
                .append("lastFetchStartedAt", java.util.Date.from(startedAt))
                .append("lastSuccessAt", java.util.Date.from(finishedAt));
    }
}

package io.commitviewer.commit.fetch;

import io.commitviewer.commit.commits.CommitStore;
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
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a project's stored commits to exactly the set reachable from the repository's branches.
 *
 * <p>First fetch (or a mirror cloned afresh): every commit is listed and inserted, and stored
 * commits git no longer has are removed. Refresh: only the commits new since the stored tips are
 * listed and inserted, then those that left every branch are removed. The stored tips, branches
 * and total change last, so a failed refresh leaves the previous set served (commits it had
 * inserted are deleted again).
 */
class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);
    /** Commits of a refresh remembered for rolling it back; beyond this a failed refresh keeps them. */

    private final CommitStore store;
    private final MirrorCache mirrors;
    private final CommitServiceProperties.Ingest settings;
    private final Counter ingested;

    Ingestion(CommitStore store, MirrorCache mirrors, CommitServiceProperties.Ingest settings, MeterRegistry meters) {
        this.store = store;
        this.mirrors = mirrors;
        this.settings = settings;
        this.ingested = Counter.builder("commitviewer.commits.ingested").description("Commits written to the store")
                .register(meters);
    }

    record Result(long commitCount, long newCommitCount, int branchCount) {
    }

    /** Ingests and, last, records the new state (tips, counts) of the project. */
    Result ingest(String projectId, RepositoryUrl url, String fetchId, Document state, Instant startedAt) {
        List<String> storedTips = state == null ? List.of() : state.getList("tips", String.class, List.of());
        boolean hasData = state != null && Boolean.TRUE.equals(state.getBoolean("ready"));
        return mirrors.withMirror(url, update -> {
            Mirror mirror = update.mirror();
            boolean incremental = hasData && !update.cloned();
            long added;
            long total;
            if (incremental) {
                // a refresh does not list the whole history: count it (rev-list --count is cheap next to log),
                // before anything is written
                total = mirror.countCommits();
                if (total > settings.maxCommits()) {
                    throw tooLarge(total);
                }
                added = refresh(projectId, fetchId, mirror, storedTips);
            } else {
                Listing listing = full(projectId, fetchId, mirror, hasData);
                added = listing.inserted();
                total = listing.listed();
            }
            if (total > settings.maxCommits()) {
                throw tooLarge(total);
            }
            List<Branch> branches = update.after();
            store.replaceBranches(projectId, branches);
            Result result = new Result(total, added, branches.size());
            store.saveProject(readyState(projectId, url.canonical(), fetchId, result, branches, startedAt, Instant.now()));
            ingested.increment(added);
            return result;
        });
    }

    private FetchFailure tooLarge(long commits) {
        return new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + (commits > settings.maxCommits() ? "more than " + settings.maxCommits() : commits)
                + " commits on its branches; the limit is " + settings.maxCommits(), false);
    }

    private record Listing(long listed, long inserted) {
    }

    /**
     * Lists every commit, inserts what is missing, removes what git no longer has. If it fails, what
     * it inserted is removed again: everything, before anything was ever served; otherwise the
     * commits tagged with this fetch, so the previous set stays served as it was.
     */
    private Listing full(String projectId, String fetchId, Mirror mirror, boolean hasData) {
        ShaSet current = new ShaSet();
        long inserted;
        BatchWriter writer = new BatchWriter(store, projectId, fetchId, settings.batchSize());
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
        } catch (RuntimeException | InterruptedException e) {
            writer.close();
            if (hasData) {
                store.deleteInsertedBy(projectId, fetchId);
            } else {
                store.deleteCommits(projectId);
            }
            throw asFailure(e);
        }
        Deletions gone = new Deletions(projectId);
        store.forEachSha(projectId, sha -> {
            if (!current.contains(sha)) {
                gone.add(sha);
            }
        });
        gone.flush();
        log.info("Listed {} commits, {} new, {} removed", current.size(), inserted, gone.count);
        return new Listing(current.size(), inserted);
    }

    /**
     * Inserts the commits new since the stored tips, then removes those that left every branch.
     * A failure while inserting takes the inserts back (they carry this fetch's id), so the
     * previous set stays served.
     */
    private long refresh(String projectId, String fetchId, Mirror mirror, List<String> storedTips) {
        long inserted;
        try (BatchWriter writer = new BatchWriter(store, projectId, fetchId, settings.batchSize())) {
            try {
                mirror.forEachCommitSince(storedTips, commit -> {
                    writer.add(commit);
                    return true;
                });
                inserted = writer.finish();
            } catch (RuntimeException | InterruptedException e) {
                writer.close();
                store.deleteInsertedBy(projectId, fetchId);
                throw asFailure(e);
            }
        }
        Deletions gone = new Deletions(projectId);
        mirror.forEachRemovedCommit(storedTips, gone::add);
        gone.flush();
        log.info("Refresh: {} new commits, {} removed", inserted, gone.count);
        return inserted;
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
            Instant startedAt, Instant finishedAt) {
        return new Document("_id", projectId).append("repositoryUrl", repositoryUrl).append("status", "READY")
                .append("ready", true).append("fetchId", fetchId)
                .append("tips", branches.stream().map(Branch::tip).distinct().toList())
                .append("totalCount", result.commitCount()).append("branchCount", result.branchCount())
                .append("lastFetchStartedAt", java.util.Date.from(startedAt))
                .append("lastSuccessAt", java.util.Date.from(finishedAt));
    }
}

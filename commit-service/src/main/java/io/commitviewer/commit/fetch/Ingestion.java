package io.commitviewer.commit.fetch;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.FetchPhase;
import io.commitviewer.common.git.Branch;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.Mirror;
import io.commitviewer.common.url.RepositoryUrl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a fetch: brings a project's stored commits and branches to exactly the set
 * reachable from the repository's branches, or takes back what it wrote (ADR 0007).
 *
 * <p>First fetch (or a mirror cloned afresh): every commit is listed and inserted, and stored
 * commits git no longer has are removed. Refresh: only the commits new since the served tips are
 * listed and inserted, then those that left every branch are removed. The branches, with their
 * commit counts, and the commit graph the branch listings read (ADR 0008) are written as a new
 * generation beside the served one. Nothing of this is served as the project's new state
 * until the caller saves the state this returns: the attempt's one commit point. Until then a
 * failure takes back the commits this attempt inserted (they carry its id, which no other
 * attempt has, not even a redelivery of the same request) and its branches; and if the process
 * dies first, the attempt's id, recorded in the project's state before its first write, lets the
 * next fetch of the project take them back ({@link #undo}).
 */
class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    /**
     * Branch commit counts are counted with at most this many commit visits in all (about a
     * second): beyond it, a repository with tens of thousands of long branches, the remaining
     * branches show no count (their listings still give an exact total).
     */
    static final long BRANCH_COUNT_VISITS = 100_000_000L;

    private final CommitStore store;
    private final CommitGraphs graphs;
    private final StoreIdentities identities;
    private final MirrorCache mirrors;
    private final CommitServiceProperties.Ingest settings;
    private final Counter ingested;

    Ingestion(CommitStore store, CommitGraphs graphs, StoreIdentities identities, MirrorCache mirrors,
            CommitServiceProperties.Ingest settings, MeterRegistry meters) {
        this.store = store;
        this.graphs = graphs;
        this.identities = identities;
        this.mirrors = mirrors;
        this.settings = settings;
        this.ingested = Counter.builder("commitviewer.commits.ingested").description("Commits written to the store")
                .register(meters);
    }

    /** What a successful attempt leaves to serve, and how many commits it inserted. */
    record Result(ProjectState.Served served, long newCommitCount) {
    }

    /**
     * Runs the attempt {@code state.current()} names (recorded in the store before this is called)
     * against the repository's current branches; returns what to serve, or throws after taking
     * back what it wrote.
     */
    Result ingest(ProjectState state, RepositoryUrl url, UUID epoch, FetchProgressReporter.Progress progress) {
        String projectId = state.projectId();
        String attempt = state.current().attemptId();
        ProjectState.Served previous = state.served();
        progress.phase(FetchPhase.CLONING);
        return mirrors.withMirror(url, update -> {
            try {
                progress.phase(FetchPhase.LISTING);
                if (update.after().size() > settings.maxBranches()) {
                    throw new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + update.after().size()
                            + " branches; the limit is " + settings.maxBranches(), false);
                }
                Mirror mirror = update.mirror();
                // a refresh builds on the graph of the generation it replaces; without one (a generation written
                // before graphs) it lists everything, once
                Optional<CommitGraph> before = previous != null && !update.cloned()
                        ? graphs.stored(projectId, previous.branchGeneration()) : Optional.empty();
                CommitGraph.Builder listed = CommitGraph.builder();
                Counts counts = before.isPresent()
                        // |new| = |old| + |listed since the old tips| - |left every branch|: a refresh costs what
                        // changed, not what the history holds (no rev-list --count)
                        ? refresh(projectId, attempt, mirror, previous.tips(), previous.totalCount(), listed, progress)
                        : full(projectId, attempt, mirror, listed, progress);
                progress.phase(FetchPhase.STORING);
                List<Branch> branches = update.after();
                List<String> tips = branches.stream().map(Branch::tip).distinct().toList();
                CommitGraph graph = before.map(old -> old.with(listed, tips)).orElseGet(listed::build);
                if (graph.size() != counts.total()) {
                    log.warn("The commit graph holds {} commits, the listing counted {}", graph.size(), counts.total());
                }
                long[] commitCounts = graph.counts(branches.stream().mapToInt(b -> graph.rankOf(b.tip())).toArray(),
                        BRANCH_COUNT_VISITS);
                store.writeBranches(projectId, attempt, branches, commitCounts);
                graphs.save(projectId, attempt, graph, before.isPresent() ? previous.branchGeneration() : null,
                        new CommitGraph.Delta(listed, tips));
                // a store that lost data while this attempt ran may hold only part of what it wrote: no success then
                // (not tried again here: this delivery's epoch is gone; project-service asks again once it hears of the new one)
                long sequence = identities.nextSequence(epoch).orElseThrow(() -> new FetchFailure(FailureReason.INTERNAL,
                        "the commit store lost data while this fetch ran", false));
                ingested.increment(counts.inserted());
                return new Result(new ProjectState.Served(state.current().fetchId(), tips,
                        counts.total(), branches.size(), state.current().startedAt(), Instant.now(), sequence, attempt),
                        counts.inserted());
            } catch (RuntimeException e) {
                undo(state);
                throw e;
            }
        });
    }

    /**
     * Takes back what the attempt the state names wrote, if it never reached its commit point: its
     * commits (all of the project's, before anything was ever served) and its branches.
     * Idempotent; the commits it removed because they left every branch stay removed: they did leave.
     */
    void undo(ProjectState state) {
        if (state.current() == null || state.current().attemptId() == null) {
            return;
        }
        String projectId = state.projectId();
        String attempt = state.current().attemptId();
        if (state.ready()) {
            log.info("Took back attempt {}: {} commits it inserted", attempt, store.deleteInsertedBy(projectId, attempt));
        } else {
            store.deleteCommits(projectId); // nothing was ever served
            log.info("Took back attempt {}: every commit, none was served yet", attempt);
        }
        store.deleteBranchesBut(projectId, state.ready() ? state.served().branchGeneration() : null);
    }

    private FetchFailure tooLarge(long commits) {
        return new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + (commits > settings.maxCommits() ? "more than " + settings.maxCommits() : commits)
                + " commits on its branches; the limit is " + settings.maxCommits(), false);
    }

    private record Counts(long total, long inserted) {
    }

    /** Lists every commit, inserts what is missing, removes what git no longer has. */
    private Counts full(String projectId, String attempt, Mirror mirror, CommitGraph.Builder graph,
            FetchProgressReporter.Progress progress) {
        ShaSet current = new ShaSet();
        Deletions gone = new Deletions(projectId);
        long inserted;
        try (BatchWriter writer = new BatchWriter(store, projectId, attempt, settings.batchSize())) {
            mirror.forEachCommit(commit -> {
                if (current.size() >= settings.maxCommits()) {
                    throw tooLarge(current.size() + 1L); // stops git; what was written is taken back
                }
                current.add(commit.sha());
                graph.add(commit.sha(), commit.committer().date().toInstant().toEpochMilli(), commit.parents());
                writer.add(commit);
                progress.stored(current.size());
                return true;
            });
            inserted = writer.finish();
        } catch (InterruptedException e) {
            throw interrupted();
        }
        store.forEachSha(projectId, sha -> {
            if (!current.contains(sha)) {
                gone.add(sha);
            }
        });
        gone.flush();
        log.info("Listed {} commits, {} new, {} removed", current.size(), inserted, gone.count);
        return new Counts(current.size(), inserted);
    }

    /**
     * Inserts the commits new since the served tips, then removes those that left every branch.
     * Removals made before a failure were of commits that did leave; the next refresh, from the
     * same served tips, removes them again (a no-op) and counts them again.
     */
    private Counts refresh(String projectId, String attempt, Mirror mirror, List<String> servedTips, long previousTotal,
            CommitGraph.Builder graph, FetchProgressReporter.Progress progress) {
        long[] listed = {0};
        Deletions gone = new Deletions(projectId);
        long inserted;
        try (BatchWriter writer = new BatchWriter(store, projectId, attempt, settings.batchSize())) {
            long leaving = mirror.forEachRemovedCommit(servedTips, sha -> { }); // counted first, removed last
            mirror.forEachCommitSince(servedTips, commit -> {
                listed[0]++;
                long total = previousTotal + listed[0] - leaving;
                if (total > settings.maxCommits()) {
                    throw tooLarge(total); // stops git; the inserts are taken back
                }
                graph.add(commit.sha(), commit.committer().date().toInstant().toEpochMilli(), commit.parents());
                writer.add(commit);
                progress.stored(listed[0]);
                return true;
            });
            inserted = writer.finish();
        } catch (InterruptedException e) {
            throw interrupted();
        }
        mirror.forEachRemovedCommit(servedTips, gone::add);
        gone.flush();
        log.info("Refresh: {} new commits, {} removed", inserted, gone.count);
        return new Counts(previousTotal + listed[0] - gone.count, inserted);
    }

    private static FetchFailure interrupted() {
        Thread.currentThread().interrupt();
        return new FetchFailure(FailureReason.INTERNAL, "interrupted (the service is stopping)", true);
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
}

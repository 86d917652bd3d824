package io.commitviewer.commit.fetch;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.FetchPhase;
import io.commitviewer.common.git.Branch;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.Mirror;
import io.commitviewer.common.git.Tag;
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
 * One attempt of a fetch: brings a project's stored commits, branches and tags to exactly the set
 * reachable from the repository's branches and tags, or takes back what it wrote (ADR 0007). The
 * project's commit count is its branches' (ADR 0001): a commit only a tag reaches is stored and
 * served through that tag, not counted (ADR 0011).
 *
 * <p>First fetch (or a mirror cloned afresh): every commit is listed and inserted, and stored
 * commits git no longer has are removed after the commit point. Refresh: only the commits new since
 * the served tips are listed and inserted, and those that left every branch are removed after the
 * commit point. Every write carries the lease's fencing token (ADR 0010). The branches, with their
 * commit counts, and the commit graph the branch listings read (ADR 0008) are written as a new
 * generation beside the served one. Nothing of this is served as the project's new state
 * until the caller saves the state this returns: the attempt's one commit point. What an attempt
 * that never reached it wrote is taken back by {@link TakeBacks}, by the attempt's id (recorded in
 * the project's state before its first write, carried by every commit it inserted, and never
 * reused, not even by a redelivery of the same request): by its own fetch after a failure, or by
 * the next fetch of the project if the process died first.
 */
class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    /**
     * Branch commit counts, and then tag commit counts, are each counted with at most this many
     * commit visits (about a second; a series of tags each on top of the one before costs about one
     * walk of the history, {@link CommitGraph#counts}): beyond it, a repository with tens of
     * thousands of long unrelated branches or tags, the remaining refs show no count (their listings
     * still give an exact total).
     */
    static final long REF_COUNT_VISITS = 100_000_000L;

    /** How often a writer asks whether the project is still its own while it inserts (and always after a pause). */
    static final java.time.Duration FENCE_EVERY = java.time.Duration.ofSeconds(1);

    private final CommitStore store;
    private final ProjectStates states;
    private final CommitGraphs graphs;
    private final StoreIdentities identities;
    private final MirrorCache mirrors;
    private final CommitServiceProperties.Ingest settings;
    private final Counter ingested;
    private final java.util.concurrent.ExecutorService firstLooks = java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "first-look");
        thread.setDaemon(true);
        return thread;
    });

    Ingestion(CommitStore store, ProjectStates states, CommitGraphs graphs, StoreIdentities identities, MirrorCache mirrors,
            CommitServiceProperties.Ingest settings, MeterRegistry meters) {
        this.store = store;
        this.states = states;
        this.graphs = graphs;
        this.identities = identities;
        this.mirrors = mirrors;
        this.settings = settings;
        this.ingested = Counter.builder("commitviewer.commits.ingested").description("Commits written to the store")
                .register(meters);
    }

    /**
     * What a successful attempt leaves to serve, how many commits it inserted, and the commits that
     * left every branch: removed after the commit point ({@link TakeBacks#afterCommit}), never before, so
     * that an attempt that does not reach it removes nothing a later writer's generation names.
     */
    record Result(ProjectState.Served served, long newCommitCount, List<String> gone) {
    }

    /**
     * Runs the attempt {@code state.current()} names (recorded in the store before this is called)
     * against the repository's current branches; returns what to serve, or throws (what it wrote
     * is then its caller's to take back).
     */
    Result ingest(ProjectState state, RepositoryUrl url, UUID epoch, FetchProgressReporter.Progress progress,
            ProjectLeases.Lease lease) {
        String projectId = state.projectId();
        String attempt = state.current().attemptId();
        long token = lease.token();
        ProjectState.Served previous = state.served();
        progress.phase(FetchPhase.CLONING);
        // a first fetch shows its newest commits while the whole history comes (ADR 0012); a refresh never does
        FirstLook look = previous == null && settings.firstLook() ? new FirstLook(firstLooks, mirrors, store, url, projectId, attempt,
                token, () -> writer(new Writes(projectId, attempt, token, sha -> true, () -> states.checkFence(lease))), progress::firstLook)
                : null;
        try {
            return ingest(state, url, epoch, progress, lease, look);
        } finally {
            if (look != null) {
                look.close(); // nothing it writes lands after the attempt's end
            }
        }
    }

    private Result ingest(ProjectState state, RepositoryUrl url, UUID epoch, FetchProgressReporter.Progress progress,
            ProjectLeases.Lease lease, FirstLook look) {
        String projectId = state.projectId();
        String attempt = state.current().attemptId();
        long token = lease.token();
        ProjectState.Served previous = state.served();
        return mirrors.withMirror(url, update -> {
            progress.phase(FetchPhase.LISTING);
            if (update.after().size() > settings.maxBranches()) {
                throw new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + update.after().size()
                        + " branches; the limit is " + settings.maxBranches(), false);
            }
            Mirror mirror = update.mirror();
            Tags tags = Tags.of(mirror.tags(), settings.maxTags());
            List<String> tagCommits = tags.stored().stream().map(Branch::tip).distinct().toList();
            // a refresh builds on the graph of the generation it replaces; without one (a generation written
            // before graphs), or from a mirror that never saw the served tips (they were fetched on another instance,
            // and upstream dropped them since: what left would go unseen, issue 23 finding 9), it lists everything, once
            boolean tipsKnown = previous != null && !update.cloned() && knowsAll(mirror, previous.tips());
            Optional<CommitGraph> before = tipsKnown ? graphs.stored(projectId, previous.branchGeneration()) : Optional.empty();
            // a commit stored already that the served generation does not name was left by an attempt that never
            // reached its commit point: this attempt adopts it (ADR 0010)
            CommitGraph served = previous == null ? null : before.orElseGet(() -> graphs.served(projectId,
                    previous.branchGeneration(), previous.fetchId(), previous.tips()));
            Writes writes = new Writes(projectId, attempt, token, sha -> served == null || served.rankOf(sha) < 0,
                    () -> states.checkFence(lease));
            CommitGraph.Builder listed = CommitGraph.builder();
            Counts counts = before.isPresent()
                    // |new| = |old| + |listed since the old tips| - |left every branch|: a refresh costs what
                    // changed, not what the history holds (no rev-list --count)
                    ? refresh(writes, mirror, previous.tips(), before.get().size(), tagCommits, listed, progress)
                    : full(writes, mirror, tagCommits, listed, progress, look);
            progress.phase(FetchPhase.STORING);
            List<Branch> branches = update.after();
            List<String> tips = java.util.stream.Stream.concat(branches.stream().map(Branch::tip), tagCommits.stream())
                    .distinct().toList();
            // a refresh that found nothing gone keeps every commit of the graph: no walk to drop any
            CommitGraph graph = before.map(old -> old.with(listed, tips, counts.gone().isEmpty())).orElseGet(listed::build);
            if (graph.size() != counts.total()) {
                log.warn("The commit graph holds {} commits, the listing counted {}", graph.size(), counts.total());
            }
            int[] branchTips = branches.stream().mapToInt(b -> graph.rankOf(b.tip())).toArray();
            long[] commitCounts = graph.counts(branchTips, REF_COUNT_VISITS);
            long[] tagCounts = graph.counts(tags.stored().stream().mapToInt(t -> graph.rankOf(t.tip())).toArray(), REF_COUNT_VISITS);
            long onBranches = tagCommits.isEmpty() ? graph.size() : graph.reachableFromAny(branchTips).cardinality();
            states.checkFence(lease); // deleted, or taken over, while it listed: nothing more is written
            store.branches().write(projectId, attempt, token, branches, commitCounts);
            store.tags().write(projectId, attempt, token, tags.stored(), tagCounts);
            graphs.save(projectId, attempt, token, graph, before.isPresent() ? previous.branchGeneration() : null,
                    new CommitGraph.Delta(listed, tips));
            // a store that lost data while this attempt ran may hold only part of what it wrote: no success then
            // (not tried again here: this delivery's epoch is gone; project-service asks again once it hears of the new one)
            long sequence = identities.nextSequence(epoch).orElseThrow(() -> new FetchFailure(FailureReason.INTERNAL,
                    "the commit store lost data while this fetch ran", false));
            ingested.increment(counts.inserted());
            String refsDigest = ProjectState.Served.digestOf(branches.stream().map(b -> b.name() + " " + b.tip()).sorted().toList(),
                    tags.stored().stream().map(t -> t.name() + " " + t.tip()).sorted().toList());
            return new Result(new ProjectState.Served(state.current().fetchId(), tips, onBranches, branches.size(),
                    state.current().startedAt(), Instant.now(), sequence, attempt, tags.skipped(), refsDigest),
                    counts.inserted(), counts.gone());
        });
    }

    private static boolean knowsAll(Mirror mirror, List<String> tips) {
        List<String> missing = mirror.missing(tips);
        if (!missing.isEmpty()) {
            log.info("The mirror never saw {} of the {} served tips: listing every commit", missing.size(), tips.size());
        }
        return missing.isEmpty();
    }

    private FetchFailure tooLarge(long commits) {
        return new FetchFailure(FailureReason.TOO_LARGE, "the repository has " + (commits > settings.maxCommits() ? "more than " + settings.maxCommits() : commits)
                + " commits on its branches and tags; the limit is " + settings.maxCommits(), false);
    }

    /**
     * The tags an attempt stores — those on commits, by name, at most {@code max} — as (name, commit)
     * pairs, and how many it skips: on a tree or a blob (no history to list), or past the limit.
     */
    record Tags(List<Branch> stored, long skipped) {
        static Tags of(List<Tag> tags, int max) {
            List<Branch> stored = new ArrayList<>();
            long skipped = 0;
            for (Tag tag : tags) {
                if (tag.onCommit() && stored.size() < max) {
                    stored.add(new Branch(tag.name(), tag.object()));
                } else {
                    skipped++;
                }
            }
            if (skipped > 0) {
                log.info("{} of {} tags skipped: on a tree or a blob, or past the limit of {}", skipped, tags.size(), max);
            }
            return new Tags(stored, skipped);
        }
    }

    private record Counts(long total, long inserted, List<String> gone) {
    }

    /**
     * Where an attempt writes: its project, its id, its lease's token, which stored commits it
     * adopts, and the check after each batch that the project is still its to write.
     */
    private record Writes(String projectId, String attempt, long token, java.util.function.Predicate<String> adopt, Runnable fence) {
    }

    /** Lists every commit of the branches and the tags' commits, inserts what is missing, finds what git no longer has. */
    private Counts full(Writes writes, Mirror mirror, List<String> tagCommits, CommitGraph.Builder graph,
            FetchProgressReporter.Progress progress, FirstLook look) {
        ShaSet current = new ShaSet();
        List<String> gone = new ArrayList<>();
        long inserted;
        try (BatchWriter writer = writer(writes)) {
            mirror.forEachCommit(tagCommits, commit -> {
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
        // the first look ends before what is stored is compared with what was listed: it writes nothing after
        inserted += look == null ? 0 : look.closeAndCount();
        store.commits().forEachSha(writes.projectId(), sha -> {
            if (!current.contains(sha)) {
                gone.add(sha);
            }
        });
        log.info("Listed {} commits, {} new, {} to remove", current.size(), inserted, gone.size());
        return new Counts(current.size(), inserted, gone);
    }

    private BatchWriter writer(Writes writes) {
        return new BatchWriter(store.commits(), writes.projectId(), writes.attempt(), writes.token(), writes.adopt(), settings.batchSize(),
                writes.fence(), FENCE_EVERY);
    }

    /**
     * Inserts the commits new since the served tips (of the graph: {@code previousTotal} commits),
     * then lists those that left every branch and tag (removed after the commit point).
     */
    private Counts refresh(Writes writes, Mirror mirror, List<String> servedTips, long previousTotal, List<String> tagCommits,
            CommitGraph.Builder graph, FetchProgressReporter.Progress progress) {
        long[] listed = {0};
        List<String> gone = new ArrayList<>();
        long inserted;
        try (BatchWriter writer = writer(writes)) {
            long leaving = mirror.forEachRemovedCommit(servedTips, tagCommits, sha -> { }); // counted first, removed last
            mirror.forEachCommitSince(servedTips, tagCommits, commit -> {
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
        mirror.forEachRemovedCommit(servedTips, tagCommits, gone::add);
        log.info("Refresh: {} new commits, {} to remove", inserted, gone.size());
        return new Counts(previousTotal + listed[0] - gone.size(), inserted, gone);
    }

    private static FetchFailure interrupted() {
        Thread.currentThread().interrupt();
        return new FetchFailure(FailureReason.INTERNAL, "interrupted (the service is stopping)", true);
    }
}

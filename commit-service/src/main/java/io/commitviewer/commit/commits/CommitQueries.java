package io.commitviewer.commit.commits;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.Commits;
import io.commitviewer.commit.store.StoredBranch;
import io.commitviewer.commit.store.StoredCommit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Pages of a project's commits: by keyset cursor (constant cost at any depth) or GitHub-style page numbers. */
@Component
class CommitQueries {

    private final CommitStore store;
    private final CommitGraphs graphs;
    private final ProjectStates states;
    private final ProjectDirectory directory;
    private final CommitServiceProperties.Api api;
    private final FilteredTotals totals;

    CommitQueries(CommitStore store, CommitGraphs graphs, ProjectStates states, ProjectDirectory directory,
            CommitServiceProperties properties) {
        this.store = store;
        this.graphs = graphs;
        this.states = states;
        this.directory = directory;
        this.api = properties.api();
        this.totals = new FilteredTotals(api.countCacheSize());
    }

    /** What a listing is narrowed to; {@code branch}: the history of that branch alone (ADR 0008). */
    record Filter(String author, Instant since, Instant until, String branch) {
        boolean isEmpty() {
            return author == null && since == null && until == null && branch == null;
        }
    }

    record Page(List<StoredCommit> items, long totalCount, Optional<String> nextCursor, Optional<Integer> nextPage) {
    }

    /** What the project's last successful fetch left to serve; throws when there is nothing to serve yet. */
    ProjectState.Served served(String projectId) {
        ProjectState state = states.find(projectId).orElseThrow(() -> notHeld(projectId));
        if (!state.ready()) {
            if (state.status() == ProjectState.Status.FAILED && state.lastError() != null) {
                throw new NotReadyException(projectId, ProjectState.Status.FAILED, state.lastError().reason().name(),
                        "the first fetch failed: " + state.lastError().message(), api.retryAfter());
            }
            throw new NotReadyException(projectId, state.status(), null, "the first fetch is not finished yet", api.retryAfter());
        }
        return state.served();
    }

    /**
     * A project this store does not hold: 404 only if project-service does not know it either;
     * otherwise its first fetch, or its fetch after the store lost it, is on its way (ADR 0006).
     */
    private RuntimeException notHeld(String projectId) {
        ProjectDirectory.KnownProject known = directory.find(projectId).orElse(null);
        if (known == null) {
            return new NotFoundException("project-not-found", "no project with id " + projectId);
        }
        if (known.status() == ProjectState.Status.FAILED && !known.everFetched()) {
            return new NotReadyException(projectId, ProjectState.Status.FAILED, known.failureReason(),
                    "the first fetch failed: " + known.failureMessage(), api.retryAfter());
        }
        boolean inProgress = known.status() == ProjectState.Status.QUEUED || known.status() == ProjectState.Status.FETCHING;
        String message = known.everFetched()
                ? "this project's commits are not in the commit store: they are being fetched again"
                : "the first fetch is not finished yet";
        return new NotReadyException(projectId, inProgress ? known.status() : ProjectState.Status.QUEUED, null, message,
                api.retryAfter());
    }

    /*
     * Every listing reads through the served generation's commit graph (ADR 0010): the graph names
     * exactly the commits of the last successful fetch, so a commit document no committed graph
     * names (written by an attempt that never reached its commit point, or by a writer whose lease
     * lapsed, and not swept yet) is never served. Listings narrowed to an author alone read the
     * author's index and keep what the graph names.
     */

    Page byCursor(String projectId, String cursor, int limit, Filter filter) {
        ProjectState.Served served = served(projectId);
        if (filter.branch() != null || filter.author() == null) {
            BranchListing listing = graphListing(projectId, served, filter);
            int start = 0;
            if (cursor != null) {
                CommitCursor position = CommitCursor.decode(cursor, projectId);
                start = listing.graph().firstAfter(position.committedAt().getTime(), position.id().substring(projectId.length() + 1));
            }
            return page(projectId, listing, start, 0, limit);
        }
        Commits.Query base = query(projectId, filter);
        Commits.Position after = null;
        if (cursor != null) {
            CommitCursor position = CommitCursor.decode(cursor, projectId);
            after = new Commits.Position(position.committedAt().toInstant(), position.id());
        }
        CommitGraph graph = servedGraph(projectId, served);
        List<StoredCommit> rows = store.commits().find(base, after, limit + 1);
        Optional<String> next = Optional.empty();
        if (rows.size() > limit) {
            rows = new ArrayList<>(rows.subList(0, limit));
            next = Optional.of(cursorAfter(rows.get(limit - 1)));
        }
        return new Page(served(rows, graph), total(projectId, served, filter, base, graph), next, Optional.empty());
    }

    private CommitGraph servedGraph(String projectId, ProjectState.Served served) {
        return graphs.served(projectId, served.branchGeneration(), served.fetchId(), served.tips());
    }

    /** The rows the served graph names. */
    private static List<StoredCommit> served(List<StoredCommit> rows, CommitGraph graph) {
        List<StoredCommit> kept = new ArrayList<>(rows.size());
        for (StoredCommit row : rows) {
            if (graph.rankOf(row.sha()) >= 0) {
                kept.add(row);
            }
        }
        return kept;
    }

    Page byPageNumber(String projectId, int page, int perPage, Filter filter) {
        ProjectState.Served served = served(projectId);
        Commits.Query base = query(projectId, filter);
        long skip = (long) (page - 1) * perPage;
        if (skip > api.maxPageOffset()) {
            throw new PageTooDeepException(projectId, api.maxPageOffset(), perPage);
        }
        if (filter.branch() != null || filter.author() == null) {
            Page listed = page(projectId, graphListing(projectId, served, filter), 0, (int) skip, perPage);
            return new Page(listed.items(), listed.totalCount(), Optional.empty(),
                    listed.nextCursor().isPresent() ? Optional.of(page + 1) : Optional.empty());
        }
        CommitGraph graph = servedGraph(projectId, served);
        List<StoredCommit> rows = store.commits().findSkipping(base, (int) skip, perPage + 1);
        Optional<Integer> next = Optional.empty();
        if (rows.size() > perPage) {
            rows = new ArrayList<>(rows.subList(0, perPage));
            next = Optional.of(page + 1);
        }
        return new Page(served(rows, graph), total(projectId, served, filter, base, graph), Optional.empty(), next);
    }

    /** An author's total: the commits of that author the served graph names, counted once per fetch. */
    private long total(String projectId, ProjectState.Served served, Filter filter, Commits.Query base, CommitGraph graph) {
        return totals.get(new FilteredTotals.Key(projectId, served.fetchId(), filter), () -> {
            long[] count = {0};
            store.commits().forEachSha(base, sha -> {
                if (graph.rankOf(sha) >= 0) {
                    count[0]++;
                }
            });
            return count[0];
        });
    }

    /**
     * Every branch's history (every rank of the served commit graph) or one branch's (the ranks its
     * tip reaches), narrowed by the other filters: cut to the date range (a range of ranks: the
     * graph is in the listing's order) and to the author's commits.
     */
    private BranchListing graphListing(String projectId, ProjectState.Served served, Filter filter) {
        String generation = served.branchGeneration();
        CommitGraph graph = servedGraph(projectId, served);
        BitSet ranks;
        if (filter.branch() == null) {
            ranks = new BitSet(graph.size());
            ranks.set(0, graph.size()); // every branch: every commit the graph holds
        } else {
            StoredBranch branch = store.branches().branch(projectId, generation, filter.branch()).orElseThrow(() -> new NotFoundException(
                    "branch-not-found", "no branch " + filter.branch() + " in this project (as of its last fetch)"));
            int tip = graph.rankOf(branch.tip());
            ranks = tip < 0 ? new BitSet() : graph.reachable(tip);
        }
        if (filter.until() != null) {
            ranks.clear(0, graph.firstAtOrBefore(filter.until().toEpochMilli()));
        }
        if (filter.since() != null) {
            ranks.clear(graph.endAtOrAfter(filter.since().toEpochMilli()), Math.max(graph.size(), 1));
        }
        if (filter.author() != null && !ranks.isEmpty()) {
            BitSet byAuthor = new BitSet(graph.size());
            store.commits().forEachSha(new Commits.Query(projectId, filter.author(), null, null), sha -> {
                int rank = graph.rankOf(sha);
                if (rank >= 0) {
                    byAuthor.set(rank);
                }
            });
            ranks.and(byAuthor);
        }
        return new BranchListing(graph, ranks);
    }

    private record BranchListing(CommitGraph graph, BitSet ranks) {
    }

    /**
     * The page of a branch listing from rank {@code start}, after skipping {@code skip} of its
     * commits; with a next cursor (cursor mode) or a next page (marked by a present cursor).
     */
    private Page page(String projectId, BranchListing listing, int start, int skip, int limit) {
        BitSet ranks = listing.ranks();
        int rank = ranks.nextSetBit(start);
        for (int skipped = 0; skipped < skip && rank >= 0; skipped++) {
            rank = ranks.nextSetBit(rank + 1);
        }
        List<String> shas = new ArrayList<>(limit);
        for (; rank >= 0 && shas.size() < limit; rank = ranks.nextSetBit(rank + 1)) {
            shas.add(listing.graph().sha(rank));
        }
        Map<String, StoredCommit> found = new HashMap<>();
        for (StoredCommit commit : store.commits().byShas(projectId, shas)) {
            found.put(commit.sha(), commit);
        }
        List<StoredCommit> rows = new ArrayList<>(shas.size());
        for (String sha : shas) {
            StoredCommit commit = found.get(sha);
            if (commit != null) { // a commit the graph holds is stored: only a store that lost data lacks one
                rows.add(commit);
            }
        }
        Optional<String> next = Optional.empty();
        if (rank >= 0 && !rows.isEmpty()) {
            next = Optional.of(cursorAfter(rows.get(rows.size() - 1)));
        }
        return new Page(rows, ranks.cardinality(), next, Optional.empty());
    }

    StoredCommit commit(String projectId, String sha) {
        ProjectState.Served served = served(projectId);
        if (!sha.matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
            throw new InvalidRequestException("invalid-parameter", "not a full commit sha: " + sha);
        }
        return store.commits().bySha(projectId, sha).filter(commit -> servedGraph(projectId, served).rankOf(sha) >= 0)
                .orElseThrow(() -> new NotFoundException("commit-not-found", "no commit " + sha + " on the branches of this project"));
    }

    /** The branches the last successful fetch wrote (never a set another fetch is writing). */
    List<StoredBranch> branches(String projectId) {
        return store.branches().generation(projectId, served(projectId).branchGeneration());
    }

    /** What the store reads of a listing narrowed by author or dates (the branch is the graph's). */
    private static Commits.Query query(String projectId, Filter filter) {
        return new Commits.Query(projectId, filter.author(), filter.since(), filter.until());
    }

    private static String cursorAfter(StoredCommit last) {
        return new CommitCursor(java.util.Date.from(last.committedAt()), last.id()).encode();
    }
}

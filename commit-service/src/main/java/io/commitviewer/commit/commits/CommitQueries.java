package io.commitviewer.commit.commits;

import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.store.FirstLooks;
import io.commitviewer.commit.store.StoredRef;
import io.commitviewer.commit.store.StoredCommit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Pages of a project's commits: by keyset cursor (constant cost at any depth) or GitHub-style page
 * numbers. Every listing is a set of ranks of the project's served commit graph (ADR 0008, ADR 0011):
 * the history of every branch, of a ref or of a comparison, cut to a date range (a range of ranks:
 * the graph is in the listing's order) and intersected with what the searches match (each computed
 * once per fetch and kept in a {@link ListingCache}); a page reads only its own commits.
 */
@Component
class CommitQueries {

    /** A short sha's least length (git's, and GitHub's). */
    static final int MIN_SHORT_SHA = 4;
    /** Candidates an ambiguous short sha's answer lists at most. */
    static final int MAX_CANDIDATES = 10;
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-fA-F]{40}");
    private static final Pattern SHORT_SHA = Pattern.compile("[0-9a-fA-F]{" + MIN_SHORT_SHA + ",39}");

    private final CommitStore store;
    private final CommitGraphs graphs;
    private final ProjectStates states;
    private final ProjectDirectory directory;
    private final CommitServiceProperties.Api api;
    private final ListingCache cache;
    private final CommitCache commits;
    private final ScanGate scans;

    CommitQueries(CommitStore store, CommitGraphs graphs, ProjectStates states, ProjectDirectory directory,
            CommitServiceProperties properties) {
        this.store = store;
        this.graphs = graphs;
        this.states = states;
        this.directory = directory;
        this.api = properties.api();
        this.cache = new ListingCache(api.listingCacheBytes());
        this.commits = new CommitCache(api.commitCacheBytes());
        this.scans = new ScanGate(api.maxConcurrentScans(), api.scanWait());
    }

    /**
     * What a listing is: the history of every branch, of {@code branch} (a branch alone), of
     * {@code ref} (a branch or a sha, short or full) or of {@code head} but not {@code base} (a
     * comparison); narrowed to commits whose author and committer match, whose message contains
     * every {@code q}, and committed within {@code since}–{@code until}. Every part optional.
     */
    record Filter(String author, String committer, List<String> q, Instant since, Instant until, String branch, String ref,
            String base, String head) {
        Filter {
            q = q == null ? List.of() : List.copyOf(q);
        }

        static Filter none() {
            return new Filter(null, null, List.of(), null, null, null, null, null, null);
        }

        /** The filter as one text, different for different filters (each part with its length: no part can pass for another). */
        String key() {
            StringBuilder key = new StringBuilder();
            for (Object part : new Object[] {author, committer, since, until, branch, ref, base, head}) {
                String text = part == null ? "" : part.toString();
                key.append(part == null ? -1 : text.length()).append(':').append(text);
            }
            q.forEach(text -> key.append(text.length()).append(':').append(text));
            return key.toString();
        }
    }

    /**
     * A conditional read (RFC 9110, If-None-Match): a listing's answer is a function of what the
     * served fetch shows (its refs: {@link ProjectState.Served#listingsVersion()}) and of the request
     * ({@code request}: everything else it depends on — path, query, the public base of its links), so
     * its tag is made from those two before anything is read, and a client holding it gets 304
     * without a listing, a commit read or a body ({@code unchanged}: whether the request names the tag).
     */
    record Revalidation(String request, java.util.function.Predicate<String> unchanged) {

        String tag(String listingsVersion) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest((listingsVersion + '\n' + request).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return "\"" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 18)) + "\"";
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An author of the project and the commits stored with them: a suggestion. */
    record Author(String name, String email, long commitCount) {
    }

    /** A comparison's counts: commits {@code head} has that {@code base} has not, and the other way round. */
    record Comparison(long aheadBy, long behindBy) {
    }

    /**
     * A page of a listing; {@code complete} false for a first look (ADR 0012): the newest commits
     * of a first fetch still running, {@code totalCount} the number known so far, no next page.
     */
    record Page(List<StoredCommit> items, long totalCount, Optional<String> nextCursor, Optional<Integer> nextPage,
            Optional<Comparison> comparison, boolean complete, Optional<String> etag) {

        Page(List<StoredCommit> items, long totalCount, Optional<String> nextCursor, Optional<Integer> nextPage,
                Optional<Comparison> comparison, boolean complete) {
            this(items, totalCount, nextCursor, nextPage, comparison, complete, Optional.empty());
        }

        /** The answer to a client that holds the page already (its tag): nothing else (no count: -1). */
        static Page unchanged(String etag) {
            return new Page(List.of(), -1, Optional.empty(), Optional.empty(), Optional.empty(), true, Optional.of(etag));
        }

        boolean isUnchanged() {
            return totalCount < 0;
        }
    }

    /** What the project's last successful fetch left to serve; throws when there is nothing to serve yet. */
    ProjectState.Served served(String projectId) {
        return served(states.find(projectId).orElseThrow(() -> notHeld(projectId)));
    }

    private ProjectState.Served served(ProjectState state) {
        String projectId = state.projectId();
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
     * lapsed, and not swept yet) is never served.
     */

    Page byCursor(String projectId, String cursor, int limit, Filter filter, Revalidation revalidation) {
        ProjectState state = states.find(projectId).orElseThrow(() -> notHeld(projectId));
        if (cursor == null) {
            Optional<Page> look = firstLook(state, limit, 0, filter);
            if (look.isPresent()) {
                return look.get();
            }
        }
        ProjectState.Served served = served(state);
        String etag = revalidation.tag(served.listingsVersion());
        if (revalidation.unchanged().test(etag)) {
            return Page.unchanged(etag);
        }
        Listing listing = listing(projectId, served, filter);
        int start = 0;
        if (cursor != null) {
            CommitCursor position = CommitCursor.decode(cursor, projectId);
            start = listing.graph().firstAfter(position.committedAt().getTime(), position.id().substring(projectId.length() + 1));
        }
        Page listed = page(projectId, listing, start, 0, limit);
        return new Page(listed.items(), listed.totalCount(), listed.nextCursor(), Optional.empty(), listed.comparison(), true,
                Optional.of(etag));
    }

    Page byPageNumber(String projectId, int page, int perPage, Filter filter, Revalidation revalidation) {
        ProjectState state = states.find(projectId).orElseThrow(() -> notHeld(projectId));
        long skip = (long) (page - 1) * perPage;
        if (skip < FirstLooks.COMMITS) {
            Optional<Page> look = firstLook(state, perPage, (int) skip, filter);
            if (look.isPresent()) {
                return look.get();
            }
        }
        ProjectState.Served served = served(state);
        if (skip > api.maxPageOffset()) {
            throw new PageTooDeepException(projectId, api.maxPageOffset(), perPage);
        }
        String etag = revalidation.tag(served.listingsVersion());
        if (revalidation.unchanged().test(etag)) {
            return Page.unchanged(etag);
        }
        Page listed = page(projectId, listing(projectId, served, filter), 0, (int) skip, perPage);
        return new Page(listed.items(), listed.totalCount(), Optional.empty(),
                listed.nextCursor().isPresent() ? Optional.of(page + 1) : Optional.empty(), listed.comparison(), true, Optional.of(etag));
    }


    /**
     * A first look (ADR 0012): while a project's first fetch runs, the unfiltered listing's first
     * {@value FirstLooks#COMMITS} commits, as the attempt the state names took them from a shallow
     * clone — the newest of the history, in git's order. Never once a fetch has succeeded (a refresh
     * serves the generation it replaces until it commits), never filtered, never from past its end.
     */
    private Optional<Page> firstLook(ProjectState state, int limit, int skip, Filter filter) {
        if (state.ready() || state.current() == null || state.current().attemptId() == null || !filter.equals(Filter.none())) {
            return Optional.empty();
        }
        return store.firstLooks().of(state.projectId(), state.current().attemptId()).filter(look -> skip < look.shas().size()).map(look -> {
            List<String> shas = look.shas().subList(Math.min(skip, look.shas().size()), Math.min(skip + limit, look.shas().size()));
            return new Page(commits(state.projectId(), shas), look.shas().size(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        });
    }

    private CommitGraph servedGraph(String projectId, ProjectState.Served served) {
        return graphs.served(projectId, served.branchGeneration(), served.fetchId(), served.tips());
    }

    /** A listing: the graph it is of, its ranks (never modified), how many, and its comparison's counts if it is one. */
    private record Listing(CommitGraph graph, BitSet ranks, int count, Optional<Comparison> comparison) {
    }

    /** What a listing is, once per fetch and filter (kept in the {@link ListingCache}): its pages only read it. */
    private record Composed(BitSet ranks, int count, Optional<Comparison> comparison) {
    }

    private Listing listing(String projectId, ProjectState.Served served, Filter filter) {
        CommitGraph graph = servedGraph(projectId, served);
        Composed composed = cache.get(new ListingCache.Key(projectId, served.fetchId(), "listing", filter.key()), Composed.class,
                () -> compose(projectId, served, graph, filter), c -> ListingCache.bytesOf(c.ranks()) + 64);
        return new Listing(graph, composed.ranks(), composed.count(), composed.comparison());
    }

    private Composed compose(String projectId, ProjectState.Served served, CommitGraph graph, Filter filter) {
        BitSet ranks;
        Optional<Comparison> comparison = Optional.empty();
        if (filter.head() != null) {
            BitSet head = reach(projectId, served, graph, resolve(projectId, served, graph, "head", filter.head()));
            BitSet base = reach(projectId, served, graph, resolve(projectId, served, graph, "base", filter.base()));
            ranks = (BitSet) head.clone();
            ranks.andNot(base);
            BitSet behind = (BitSet) base.clone();
            behind.andNot(head);
            comparison = Optional.of(new Comparison(ranks.cardinality(), behind.cardinality()));
        } else if (filter.ref() != null) {
            ranks = (BitSet) reach(projectId, served, graph, resolve(projectId, served, graph, "ref", filter.ref())).clone();
        } else if (filter.branch() != null) {
            StoredRef branch = store.branches().named(projectId, served.branchGeneration(), filter.branch())
                    .orElseThrow(() -> new NotFoundException("branch-not-found",
                            "no branch " + filter.branch() + " in this project (as of its last fetch)"));
            ranks = (BitSet) reach(projectId, served, graph, graph.rankOf(branch.tip())).clone();
        } else {
            ranks = (BitSet) onBranches(projectId, served, graph).clone();
        }
        if (filter.until() != null) {
            ranks.clear(0, graph.firstAtOrBefore(filter.until().toEpochMilli()));
        }
        if (filter.since() != null) {
            ranks.clear(graph.endAtOrAfter(filter.since().toEpochMilli()), Math.max(graph.size(), 1));
        }
        if (filter.author() != null && !ranks.isEmpty()) {
            ranks.and(matched(projectId, served, "author", filter.author(), () -> person(projectId, served, graph, false, filter.author())));
        }
        if (filter.committer() != null && !ranks.isEmpty()) {
            ranks.and(matched(projectId, served, "committer", filter.committer(), () -> person(projectId, served, graph, true, filter.committer())));
        }
        for (String text : filter.q()) {
            if (!ranks.isEmpty()) {
                ranks.and(matched(projectId, served, "q", text, () -> messagesContaining(projectId, graph, TextMatch.of(text))));
            }
        }
        return new Composed(ranks, ranks.cardinality(), comparison);
    }

    /**
     * Every branch's history: every commit the graph holds, but those only a tag reaches (computed
     * once per fetch when there are any).
     */
    private BitSet onBranches(String projectId, ProjectState.Served served, CommitGraph graph) {
        if (graph.size() == served.totalCount()) {
            BitSet all = new BitSet(graph.size());
            all.set(0, graph.size());
            return all;
        }
        return cache.get(new ListingCache.Key(projectId, served.fetchId(), "branches", ""), BitSet.class,
                () -> graph.reachableFromAny(branches(projectId, served).stream().mapToInt(b -> graph.rankOf(b.tip())).toArray()),
                ListingCache::bytesOf);
    }

    /** Every rank {@code tip} reaches (none for -1), computed once per fetch: one branch's, or one ref's, history. */
    private BitSet reach(String projectId, ProjectState.Served served, CommitGraph graph, int tip) {
        if (tip < 0) {
            return new BitSet();
        }
        return cache.get(new ListingCache.Key(projectId, served.fetchId(), "reach", Integer.toString(tip)), BitSet.class,
                () -> graph.reachable(tip), ListingCache::bytesOf);
    }

    private BitSet matched(String projectId, ProjectState.Served served, String kind, String value, java.util.function.Supplier<BitSet> compute) {
        return cache.get(new ListingCache.Key(projectId, served.fetchId(), kind, value), BitSet.class, compute, ListingCache::bytesOf);
    }

    /**
     * The ranks of the commits whose author (or committer) {@code Name <email>} contains the text: a
     * scan by the store of the name and the email, only the matching shas back — or, for a text that
     * can only match across them ({@link TextMatch#spansFields()}), the project's people.
     */
    private BitSet person(String projectId, ProjectState.Served served, CommitGraph graph, boolean committer, String text) {
        TextMatch match = TextMatch.of(text);
        if (match.spansFields()) {
            People people = people(projectId, served, graph);
            return committer ? people.committedBy(match) : people.authoredBy(match);
        }
        return scannedRanks(graph, sink -> store.commits().forEachShaWithPerson(projectId, committer, match.regex(), sink));
    }

    private People people(String projectId, ProjectState.Served served, CommitGraph graph) {
        return cache.get(new ListingCache.Key(projectId, served.fetchId(), "people", ""), People.class,
                () -> scans.scan(() -> People.of(graph, store.commits(), projectId)), People::bytes);
    }

    /** The ranks of the commits whose message contains the text: one scan by the store, which returns the shas it keeps. */
    private BitSet messagesContaining(String projectId, CommitGraph graph, TextMatch text) {
        return scannedRanks(graph, sink -> store.commits().forEachShaWithMessage(projectId, text.regex(), sink));
    }

    /**
     * The ranks of the shas a store scan streams (one of the gated scans), those the graph holds:
     * a stored commit no committed graph names stays out.
     */
    private BitSet scannedRanks(CommitGraph graph, java.util.function.Consumer<java.util.function.Consumer<String>> scan) {
        return scans.scan(() -> {
            BitSet ranks = new BitSet(graph.size());
            scan.accept(sha -> {
                int rank = graph.rankOf(sha);
                if (rank >= 0) {
                    ranks.set(rank);
                }
            });
            return ranks;
        });
    }

    /**
     * The rank a ref names, as {@code git log REF} reads it among what this service holds: a full
     * sha is that commit; then a tag of that name (a tag wins over a branch of the same name, as in
     * git); then a branch; then a short sha (4 to 39 hex digits) naming one commit (409
     * {@code ambiguous-sha} if it names more). 404 {@code ref-not-found} naming the side
     * ({@code ref}, {@code base}, {@code head}) otherwise.
     */
    private int resolve(String projectId, ProjectState.Served served, CommitGraph graph, String side, String ref) {
        if (FULL_SHA.matcher(ref).matches()) {
            int rank = graph.rankOf(ref.toLowerCase(java.util.Locale.ROOT));
            if (rank < 0) {
                throw new NotFoundException("ref-not-found", side + ": no commit " + ref + " in this project");
            }
            return rank;
        }
        Optional<StoredRef> named = store.tags().named(projectId, served.branchGeneration(), ref)
                .or(() -> store.branches().named(projectId, served.branchGeneration(), ref));
        if (named.isPresent()) {
            return graph.rankOf(named.get().tip());
        }
        if (SHORT_SHA.matcher(ref).matches()) {
            List<Integer> ranks = graph.ranksWithPrefix(ref.toLowerCase(java.util.Locale.ROOT), MAX_CANDIDATES + 1);
            if (ranks.size() == 1) {
                return ranks.get(0);
            }
            if (ranks.size() > 1) {
                throw ambiguous(graph, ref, ranks);
            }
        }
        throw new NotFoundException("ref-not-found", side + ": no branch, tag or commit " + ref + " in this project (as of its last fetch)");
    }

    private static AmbiguousShaException ambiguous(CommitGraph graph, String prefix, List<Integer> ranks) {
        List<String> candidates = new ArrayList<>();
        for (int rank : ranks.subList(0, Math.min(ranks.size(), MAX_CANDIDATES))) {
            candidates.add(graph.sha(rank));
        }
        return new AmbiguousShaException(prefix, candidates, ranks.size() > MAX_CANDIDATES);
    }

    /**
     * The page of a listing from rank {@code start}, after skipping {@code skip} of its commits;
     * with a next cursor (cursor mode) or a next page (marked by a present cursor).
     */
    private Page page(String projectId, Listing listing, int start, int skip, int limit) {
        BitSet ranks = listing.ranks();
        int rank = ranks.nextSetBit(start);
        for (int skipped = 0; skipped < skip && rank >= 0; skipped++) {
            rank = ranks.nextSetBit(rank + 1);
        }
        List<String> shas = new ArrayList<>(limit);
        for (; rank >= 0 && shas.size() < limit; rank = ranks.nextSetBit(rank + 1)) {
            shas.add(listing.graph().sha(rank));
        }
        List<StoredCommit> rows = commits(projectId, shas);
        Optional<String> next = Optional.empty();
        if (rank >= 0 && !rows.isEmpty()) {
            next = Optional.of(cursorAfter(rows.get(rows.size() - 1)));
        }
        return new Page(rows, listing.count(), next, Optional.empty(), listing.comparison(), true);
    }

    /**
     * The commits of these shas, in their order: those kept in the {@link CommitCache}, the others in
     * one read of the store. A sha the store lacks is left out (a commit a graph holds is stored: only
     * a store that lost data lacks one).
     */
    private List<StoredCommit> commits(String projectId, List<String> shas) {
        StoredCommit[] rows = new StoredCommit[shas.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            rows[i] = commits.get(projectId + ":" + shas.get(i));
            if (rows[i] == null) {
                missing.add(shas.get(i));
            }
        }
        if (!missing.isEmpty()) {
            Map<String, StoredCommit> found = new HashMap<>();
            for (StoredCommit commit : store.commits().byShas(projectId, missing)) {
                found.put(commit.sha(), commit);
                commits.put(commit);
            }
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == null) {
                    rows[i] = found.get(shas.get(i));
                }
            }
        }
        List<StoredCommit> listed = new ArrayList<>(rows.length);
        for (StoredCommit row : rows) {
            if (row != null) {
                listed.add(row);
            }
        }
        return listed;
    }

    /**
     * One commit by its full sha, or by a short one (4 to 39 hex digits) that names one commit of
     * the served history: 409 {@code ambiguous-sha} listing the candidates if it names more.
     */
    StoredCommit commit(String projectId, String sha) {
        ProjectState.Served served = served(projectId);
        String full = sha.toLowerCase(java.util.Locale.ROOT);
        boolean whole = full.matches("[0-9a-f]{40}([0-9a-f]{24})?");
        if (!whole && !SHORT_SHA.matcher(sha).matches()) {
            throw new InvalidRequestException("invalid-parameter",
                    "not a commit sha: 4 to 40 hex digits expected, got " + (sha.length() > 80 ? sha.substring(0, 80) + "…" : sha));
        }
        CommitGraph graph = servedGraph(projectId, served);
        if (!whole) {
            List<Integer> ranks = graph.ranksWithPrefix(full, MAX_CANDIDATES + 1);
            if (ranks.size() > 1) {
                throw ambiguous(graph, sha, ranks);
            }
            if (ranks.isEmpty()) {
                throw new NotFoundException("commit-not-found", "no commit starting with " + sha + " in this project");
            }
            full = graph.sha(ranks.get(0));
        }
        String found = full;
        return (graph.rankOf(found) >= 0 ? commits(projectId, List.of(found)) : List.<StoredCommit>of()).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("commit-not-found", "no commit " + sha + " in this project"));
    }

    /**
     * People who authored commits of the project whose name or email starts with {@code prefix}, most
     * commits first: grouped by the store (the commits as stored: those of the served history, but for
     * a moment after a fetch that removed some), kept per fetch.
     */
    List<Author> authors(String projectId, String prefix, int limit) {
        ProjectState.Served served = served(projectId);
        @SuppressWarnings("unchecked")
        List<Author> found = cache.get(new ListingCache.Key(projectId, served.fetchId(), "authors", limit + ":" + prefix), List.class,
                () -> scans.scan(() -> store.commits().authors(projectId, TextMatch.of(prefix).prefixRegex(), limit).stream()
                        .map(a -> new Author(a.name(), a.email(), a.commits())).toList()),
                suggestions -> 64L + suggestions.size() * 160L);
        return found;
    }

    /** The branches the last successful fetch wrote (never a set another fetch is writing). */
    List<StoredRef> branches(String projectId) {
        return branches(projectId, served(projectId));
    }

    private List<StoredRef> branches(String projectId, ProjectState.Served served) {
        return store.branches().generation(projectId, served.branchGeneration());
    }

    /** A project's branches and tags (on commits, peeled), and the tags it skipped: on a tree or a blob, or past the limit. */
    record Refs(List<StoredRef> branches, List<StoredRef> tags, long skippedTags) {
    }

    /** The branches and tags the last successful fetch wrote. */
    Refs refs(String projectId) {
        ProjectState.Served served = served(projectId);
        return new Refs(branches(projectId, served), store.tags().generation(projectId, served.branchGeneration()),
                served.skippedTags());
    }

    private static String cursorAfter(StoredCommit last) {
        return new CommitCursor(java.util.Date.from(last.committedAt()), last.id()).encode();
    }
}

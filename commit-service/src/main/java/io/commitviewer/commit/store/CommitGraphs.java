package io.commitviewer.commit.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commit graphs of served generations, cached in memory (least recently used first out
 * beyond {@code maxBytes}) over those stored by each fetch: the branch listings read them on
 * every page, a refresh builds on the one it replaces.
 *
 * <p>A refresh stores only its delta over the previous generation (the commits it added and the
 * tips it kept), so that its cost does not grow with the history, until the chain of deltas
 * reaches {@link #MAX_CHAIN} generations or their size a tenth of the graph's: then the whole
 * graph again. Reading a generation applies its chain to the last whole graph (cached as it goes).
 */
public class CommitGraphs {

    /** Deltas a stored graph may build on before the next fetch stores it whole. */
    static final int MAX_CHAIN = 8;

    private record Key(String projectId, String generation) {
    }

    private final CommitStore store;
    private final long maxBytes;
    private final Map<Key, CommitGraph> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, Object> loading = new java.util.concurrent.ConcurrentHashMap<>();
    private long bytes;

    public CommitGraphs(CommitStore store, long maxBytes) {
        this.store = store;
        this.maxBytes = maxBytes;
    }

    /**
     * The graph a generation's fetch stored, if it stored one. Loaded once however many readers ask
     * at the same time; only the generation asked for is cached, not those its deltas build on.
     */
    public Optional<CommitGraph> stored(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        Key key = new Key(projectId, generation);
        CommitGraph known = cached(key);
        if (known != null) {
            return Optional.of(known);
        }
        synchronized (loading.computeIfAbsent(key, k -> new Object())) {
            try {
                known = cached(key);
                if (known != null) {
                    return Optional.of(known);
                }
                Optional<CommitGraph> loaded = load(projectId, generation);
                loaded.ifPresent(graph -> put(projectId, generation, graph));
                return loaded;
            } finally {
                loading.remove(key);
            }
        }
    }

    private CommitGraph cached(Key key) {
        synchronized (cache) {
            return cache.get(key);
        }
    }

    /** The generation's graph from the store: whole, or its delta applied to its base (from the cache, or loaded too). */
    private Optional<CommitGraph> load(String projectId, String generation) {
        Optional<GraphChunks.StoredGraph> stored = store.graphs().read(projectId, generation);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (stored.get().base() == null) {
                return Optional.of(CommitGraph.fromBytes(stored.get().payload()));
            }
            CommitGraph base = cached(new Key(projectId, stored.get().base()));
            Optional<CommitGraph> built = base != null ? Optional.of(base) : load(projectId, stored.get().base());
            CommitGraph.Delta delta = CommitGraph.Delta.fromBytes(stored.get().payload());
            return built.map(graph -> graph.with(delta.added(), delta.tips()));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not readable: as if there were none (the caller rebuilds it)
        }
    }

    /**
     * Stores the graph a fetch built for its generation: as a delta over {@code previous} (the
     * served generation it refreshed, null for a full listing) when the chain allows, else whole.
     */
    public void save(String projectId, String generation, long token, CommitGraph graph, String previous, CommitGraph.Delta delta) {
        Optional<GraphChunks.StoredGraph> base = previous == null || delta == null ? Optional.empty()
                : store.graphs().header(projectId, previous);
        byte[] deltaBytes = base.isPresent() ? delta.toBytes() : null;
        if (base.isPresent() && base.get().chain().size() < MAX_CHAIN
                && base.get().deltaBytes() + deltaBytes.length <= graph.bytes() / 10) {
            List<String> chain = new java.util.ArrayList<>(base.get().chain());
            chain.add(previous);
            store.graphs().write(projectId, generation, token, new GraphChunks.StoredGraph(previous, chain,
                    base.get().deltaBytes() + deltaBytes.length, deltaBytes));
        } else {
            store.graphs().write(projectId, generation, token, new GraphChunks.StoredGraph(null, List.of(), 0, graph.toBytes()));
        }
        put(projectId, generation, graph);
    }

    /**
     * The graph of what a generation serves: the stored one, or, for a generation written before
     * graphs, one rebuilt from the stored commits and cut to what its tips reach (a fetch writing
     * beside it may have inserted commits it does not serve).
     */
    public CommitGraph served(String projectId, String generation, String fetchId, List<String> tips) {
        Optional<CommitGraph> stored = stored(projectId, generation);
        if (stored.isPresent()) {
            return stored.get();
        }
        Key key = new Key(projectId, "fetch:" + fetchId);
        CommitGraph known = cached(key);
        if (known != null) {
            return known;
        }
        synchronized (loading.computeIfAbsent(key, k -> new Object())) { // one scan of the commits however many ask
            try {
                known = cached(key);
                if (known == null) {
                    known = store.commits().graph(projectId).reachableFrom(tips);
                    put(projectId, key.generation(), known);
                }
                return known;
            } finally {
                loading.remove(key);
            }
        }
    }

    /** Keeps a graph a fetch just built and stored, so that neither its reads nor the next refresh load it. */
    public void put(String projectId, String generation, CommitGraph graph) {
        if (graph.bytes() > maxBytes) {
            return;
        }
        synchronized (cache) {
            CommitGraph replaced = cache.put(new Key(projectId, generation), graph);
            bytes += graph.bytes() - (replaced == null ? 0 : replaced.bytes());
            var eldest = cache.entrySet().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().getValue().bytes();
                eldest.remove();
            }
        }
    }
}

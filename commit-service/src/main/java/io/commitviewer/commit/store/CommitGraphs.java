package io.commitviewer.commit.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commit graphs of served generations, cached in memory (least recently used first out
 * beyond {@code maxBytes}) over those stored by each fetch: the branch listings read them on
 * every page, a refresh builds on the one it replaces.
 */
public class CommitGraphs {

    private record Key(String projectId, String generation) {
    }

    private final CommitStore store;
    private final long maxBytes;
    private final Map<Key, CommitGraph> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public CommitGraphs(CommitStore store, long maxBytes) {
        this.store = store;
        this.maxBytes = maxBytes;
    }

    /** The graph a generation's fetch stored, if it stored one. */
    public Optional<CommitGraph> stored(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        Key key = new Key(projectId, generation);
        synchronized (cache) {
            CommitGraph known = cache.get(key);
            if (known != null) {
                return Optional.of(known);
            }
        }
        Optional<CommitGraph> loaded = store.graph(projectId, generation);
        loaded.ifPresent(graph -> put(projectId, generation, graph));
        return loaded;
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
        String key = "fetch:" + fetchId;
        Optional<CommitGraph> rebuilt;
        synchronized (cache) {
            rebuilt = Optional.ofNullable(cache.get(new Key(projectId, key)));
        }
        return rebuilt.orElseGet(() -> {
            CommitGraph graph = store.graphFromCommits(projectId).reachableFrom(tips);
            put(projectId, key, graph);
            return graph;
        });
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

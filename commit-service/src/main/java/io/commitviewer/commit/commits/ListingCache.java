package io.commitviewer.commit.commits;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What listings compute once per fetch of a project and read many times — the commits a branch
 * reaches, the commits a search matches, a project's people — bounded in bytes, least recently
 * used first out. A key holds the project and the fetch served, so the next fetch computes again
 * and nothing is ever stale. Readers never modify a value. Two readers asking for a value not
 * there yet wait for one computation, not two.
 */
final class ListingCache {

    /** One value: its project, the fetch it was computed for, what it is ({@code kind}) and of what. */
    record Key(String projectId, String fetchId, String kind, String value) {
    }

    private record Entry(Object value, long bytes) {
    }

    private final long maxBytes;
    private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, CompletableFuture<Object>> computing = new HashMap<>();
    private long bytes;

    ListingCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The value kept for the key, or {@code compute}'s, kept if it fits ({@code weigh}: its bytes). */
    <V> V get(Key key, Class<V> type, Supplier<V> compute, ToLongFunction<V> weigh) {
        CompletableFuture<Object> mine;
        CompletableFuture<Object> theirs;
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry != null) {
                return type.cast(entry.value());
            }
            theirs = computing.get(key);
            mine = theirs == null ? new CompletableFuture<>() : null;
            if (mine != null) {
                computing.put(key, mine);
            }
        }
        if (theirs != null) {
            try {
                return type.cast(theirs.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
        try {
            V value = compute.get();
            put(key, value, weigh.applyAsLong(value));
            mine.complete(value);
            return value;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                computing.remove(key);
            }
        }
    }

    private synchronized void put(Key key, Object value, long size) {
        if (size > maxBytes) {
            return;
        }
        Entry previous = entries.put(key, new Entry(value, size));
        bytes += size - (previous == null ? 0 : previous.bytes());
        var eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().bytes();
            eldest.remove();
        }
    }

    /** What a set of ranks holds, in bytes. */
    static long bytesOf(java.util.BitSet ranks) {
        return ranks.size() / 8L + 48;
    }

    /** Bytes held now. */
    synchronized long bytes() {
        return bytes;
    }
}

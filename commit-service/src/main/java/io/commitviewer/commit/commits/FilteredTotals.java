package io.commitviewer.commit.commits;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The totals of filtered listings, counted once per fetch: a key holds the project, the fetch
 * being served and the filter, so the next fetch counts again and nothing is ever stale. Without
 * it every page of a filtered listing would count the whole filter (an index scan as long as the
 * filter's result). Least recently used totals go first beyond {@code size} entries.
 */
final class FilteredTotals {

    record Key(String projectId, String fetchId, CommitQueries.Filter filter) {
    }

    private final int size;
    private final Map<Key, Long> totals;

    FilteredTotals(int size) {
        this.size = size;
        this.totals = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > FilteredTotals.this.size;
            }
        };
    }

    /** The cached total, or {@code count}'s (outside the lock: two first readers may both count). */
    long get(Key key, LongSupplier count) {
        synchronized (totals) {
            Long known = totals.get(key);
            if (known != null) {
                return known;
            }
        }
        long counted = count.getAsLong();
        if (size > 0) {
            synchronized (totals) {
                totals.put(key, counted);
            }
        }
        return counted;
    }
}

package io.commitviewer.commit.fetch;

import java.util.Arrays;

/**
 * A compact set of commit ids for reconciling a store against a mirror: the first 64 bits of each
 * sha in a sorted {@code long[]} (8 bytes a commit instead of ~150 as strings). A 64-bit prefix
 * collision among millions of commits is vanishingly unlikely, and would only keep a commit
 * that should have been removed.
 */
final class ShaSet {

    private long[] prefixes = new long[1024];
    private int size;
    private boolean sorted = true;

    void add(String sha) {
        if (size == prefixes.length) {
            prefixes = Arrays.copyOf(prefixes, size * 2);
        }
        prefixes[size++] = prefix(sha);
        sorted = false;
    }

    boolean contains(String sha) {
        if (!sorted) {
            Arrays.sort(prefixes, 0, size);
            sorted = true;
        }
        return Arrays.binarySearch(prefixes, 0, size, prefix(sha)) >= 0;
    }

    int size() {
        return size;
    }

    private static long prefix(String sha) {
        return Long.parseUnsignedLong(sha.substring(0, 16), 16);
    }
}

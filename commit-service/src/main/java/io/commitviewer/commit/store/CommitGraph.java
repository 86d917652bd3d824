package io.commitviewer.commit.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The commits on a project's branches as a graph in the listing's order (committer date
 * descending, then sha descending): commit {@code r} is the {@code r}-th of the full listing,
 * its parents are ranks too. One branch's history is the set of ranks reachable from its tip (a
 * {@link BitSet}), so a page of it is a scan of set bits from the cursor's rank and its total a
 * cardinality, at any depth (ADR 0008). About 40 bytes a commit; immutable, built by a fetch and
 * stored beside its branches.
 */
public final class CommitGraph {

    private static final int MAGIC = 0x43564731; // "CVG1"
    private static final HexFormat HEX = HexFormat.of();

    private final int size;
    private final int shaBytes;
    private final byte[] shas;
    private final long[] dates;
    private final int[] parentStart;
    private final int[] parents;
    private final int[] bySha;

    private CommitGraph(int size, int shaBytes, byte[] shas, long[] dates, int[] parentStart, int[] parents, int[] bySha) {
        this.size = size;
        this.shaBytes = shaBytes;
        this.shas = shas;
        this.dates = dates;
        this.parentStart = parentStart;
        this.parents = parents;
        this.bySha = bySha;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    /** Bytes held, for caches bounded in bytes. */
    public long bytes() {
        return (long) shas.length + dates.length * 8L + (parentStart.length + parents.length + bySha.length) * 4L + 64;
    }

    public String sha(int rank) {
        return HEX.formatHex(shas, rank * shaBytes, (rank + 1) * shaBytes);
    }

    /** The committer date in epoch milliseconds, as stored ({@code committedAt}). */
    public long date(int rank) {
        return dates[rank];
    }

    /** The rank of a commit, or -1 when it is not on the branches. */
    public int rankOf(String sha) {
        byte[] key = parse(sha);
        return key == null || key.length != shaBytes ? -1 : rankOf(key, 0);
    }

    private int rankOf(byte[] key, int offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int rank = bySha[middle];
            int c = Arrays.compareUnsigned(shas, rank * shaBytes, (rank + 1) * shaBytes, key, offset, offset + shaBytes);
            if (c < 0) {
                low = middle + 1;
            } else if (c > 0) {
                high = middle - 1;
            } else {
                return rank;
            }
        }
        return -1;
    }

    /** The first rank listed after the position (date, sha): a cursor's next commit, whether or not it is still there. */
    public int firstAfter(long date, String sha) {
        byte[] key = parse(sha);
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (listedAfter(middle, date, key)) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private boolean listedAfter(int rank, long date, byte[] sha) {
        if (dates[rank] != date) {
            return dates[rank] < date;
        }
        if (sha == null) {
            return false;
        }
        return Arrays.compareUnsigned(shas, rank * shaBytes, (rank + 1) * shaBytes, sha, 0, Math.min(sha.length, shaBytes)) < 0;
    }

    /** The first rank whose date is before {@code date} (epoch ms). */
    private int firstDatedBefore(long date) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (dates[middle] < date) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    /** The first rank whose date is at or before {@code date} (epoch ms): where an {@code until} bound starts. */
    public int firstAtOrBefore(long date) {
        return date == Long.MAX_VALUE ? 0 : firstDatedBefore(date + 1);
    }

    /** The end (exclusive) of the ranks whose date is at or after {@code date}: where a {@code since} bound ends. */
    public int endAtOrAfter(long date) {
        return firstDatedBefore(date);
    }

    /** Every rank reachable from {@code tip} (itself included): one branch's history. */
    public BitSet reachable(int tip) {
        BitSet seen = new BitSet(size);
        reach(tip, seen, new int[Math.max(16, Math.min(size, 1024))], Long.MAX_VALUE);
        return seen;
    }

    /** Every rank reachable from any of the tips (ranks; -1 ignored). */
    BitSet reachableFromAny(int[] tips) {
        BitSet seen = new BitSet(size);
        int[] stack = new int[Math.max(16, Math.min(size, 1024))];
        for (int tip : tips) {
            if (tip >= 0 && !seen.get(tip)) {
                reach(tip, seen, stack, Long.MAX_VALUE);
            }
        }
        return seen;
    }

    /**
     * How many commits each tip reaches, within a budget of {@code budget} visits in all (a
     * repository with tens of thousands of long branches would otherwise cost branches × commits):
     * -1 for a tip not counted, or not on the graph.
     */
    public long[] counts(int[] tips, long budget) {
        long[] counts = new long[tips.length];
        Arrays.fill(counts, -1);
        BitSet seen = new BitSet(size);
        int[] stack = new int[Math.max(16, Math.min(size, 1024))];
        long left = budget;
        java.util.Map<Integer, Long> byTip = new java.util.HashMap<>();
        for (int i = 0; i < tips.length; i++) {
            int tip = tips[i];
            if (tip < 0) {
                continue;
            }
            Long known = byTip.get(tip);
            if (known != null) {
                counts[i] = known;
                continue;
            }
            seen.clear();
            long visited = reach(tip, seen, stack, left);
            if (visited < 0) {
                break; // out of budget: the rest stay uncounted
            }
            left -= visited;
            counts[i] = seen.cardinality();
            byTip.put(tip, counts[i]);
        }
        return counts;
    }

    /** Marks what {@code tip} reaches; returns the visits made, or -1 past {@code budget}. */
    private long reach(int tip, BitSet seen, int[] stack, long budget) {
        int[] work = stack;
        int top = 0;
        long visits = 0;
        seen.set(tip);
        work[top++] = tip;
        while (top > 0) {
            int rank = work[--top];
            if (++visits > budget) {
                return -1;
            }
            for (int p = parentStart[rank]; p < parentStart[rank + 1]; p++) {
                int parent = parents[p];
                if (!seen.get(parent)) {
                    seen.set(parent);
                    if (top == work.length) {
                        work = Arrays.copyOf(work, work.length * 2);
                    }
                    work[top++] = parent;
                }
            }
        }
        return visits;
    }

    /** A new graph of this one's commits and {@code added}'s, keeping only those reachable from {@code tips}. */
    public CommitGraph with(Builder added, Collection<String> tips) {
        Builder all = new Builder();
        for (int rank = 0; rank < size; rank++) {
            all.add(shas, rank * shaBytes, shaBytes, dates[rank], this, rank);
        }
        all.addAll(added);
        return all.build().reachableFrom(tips);
    }

    /** This graph without the commits no tip reaches (those that left every branch). */
    public CommitGraph reachableFrom(Collection<String> tips) {
        int[] ranks = tips.stream().mapToInt(this::rankOf).toArray();
        BitSet keep = reachableFromAny(ranks);
        if (keep.cardinality() == size) {
            return this;
        }
        Builder kept = new Builder();
        for (int rank = keep.nextSetBit(0); rank >= 0; rank = keep.nextSetBit(rank + 1)) {
            kept.add(shas, rank * shaBytes, shaBytes, dates[rank], this, rank);
        }
        return kept.build();
    }

    /** The graph as bytes, to be stored. */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(16 + shas.length + dates.length * 8 + (parentStart.length + parents.length + bySha.length) * 4);
        out.putInt(MAGIC).putInt(size).putInt(shaBytes).putInt(parents.length);
        out.put(shas);
        out.asLongBuffer().put(dates);
        out.position(out.position() + dates.length * 8);
        out.asIntBuffer().put(parentStart).put(parents).put(bySha);
        return out.array();
    }

    /** A graph stored by {@link #toBytes}; throws {@link IllegalArgumentException} on anything else. */
    public static CommitGraph fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 16 || in.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a commit graph");
        }
        int size = in.getInt();
        int shaBytes = in.getInt();
        int edges = in.getInt();
        long expected = 16L + (long) size * shaBytes + size * 8L + (size + 1L + edges + size) * 4L;
        if (size < 0 || edges < 0 || (shaBytes != 20 && shaBytes != 32) || expected != bytes.length) {
            throw new IllegalArgumentException("a commit graph of the wrong length");
        }
        byte[] shas = new byte[size * shaBytes];
        in.get(shas);
        long[] dates = new long[size];
        in.asLongBuffer().get(dates);
        in.position(in.position() + size * 8);
        int[] parentStart = new int[size + 1];
        int[] parents = new int[edges];
        int[] bySha = new int[size];
        java.nio.IntBuffer ints = in.asIntBuffer();
        ints.get(parentStart).get(parents).get(bySha);
        return new CommitGraph(size, shaBytes, shas, dates, parentStart, parents, bySha);
    }

    private static byte[] parse(String sha) {
        if (sha == null || (sha.length() != 40 && sha.length() != 64)) {
            return null;
        }
        try {
            return HEX.parseHex(sha);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Collects commits in any order; {@link #build} sorts them into the listing's order and links
     * parents by rank. Parents that are not among the commits (beyond a shallow edge, or cut by
     * the parser's cap) are left out.
     */
    public static final class Builder {
        private int size;
        private int shaBytes = -1;
        private byte[] shas = new byte[1024 * 20];
        private long[] dates = new long[1024];
        private int[] parentStart = new int[1025];
        private byte[] parentShas = new byte[1024 * 20];
        private int parentBytes;

        /** Adds a commit: its sha, its committer date in epoch milliseconds, its parents' shas. */
        public void add(String sha, long date, List<String> parentIds) {
            byte[] key = parse(sha);
            if (key == null) {
                throw new IllegalArgumentException("not a commit sha: " + sha);
            }
            begin(key, 0, key.length, date);
            for (String parent : parentIds) {
                byte[] p = parse(parent);
                if (p != null && p.length == shaBytes) {
                    addParent(p, 0);
                }
            }
            parentStart[size] = parentBytes / shaBytes;
        }

        private void add(byte[] source, int offset, int length, long date, CommitGraph graph, int rank) {
            begin(source, offset, length, date);
            for (int p = graph.parentStart[rank]; p < graph.parentStart[rank + 1]; p++) {
                addParent(graph.shas, graph.parents[p] * graph.shaBytes);
            }
            parentStart[size] = parentBytes / shaBytes;
        }

        private void addAll(Builder other) {
            for (int i = 0; i < other.size; i++) {
                begin(other.shas, i * other.shaBytes, other.shaBytes, other.dates[i]);
                int from = other.parentStart[i] * other.shaBytes;
                int to = other.parentStart[i + 1] * other.shaBytes;
                for (int b = from; b < to; b += other.shaBytes) {
                    addParent(other.parentShas, b);
                }
                parentStart[size] = parentBytes / shaBytes;
            }
        }

        public int size() {
            return size;
        }

        private void begin(byte[] source, int offset, int length, long date) {
            if (shaBytes < 0) {
                shaBytes = length;
            } else if (length != shaBytes) {
                throw new IllegalArgumentException("a repository with shas of two lengths");
            }
            if (size == dates.length) {
                dates = Arrays.copyOf(dates, size * 2);
                parentStart = Arrays.copyOf(parentStart, size * 2 + 1);
            }
            if ((size + 1) * shaBytes > shas.length) {
                shas = Arrays.copyOf(shas, Math.max(shas.length * 2, (size + 1) * shaBytes));
            }
            System.arraycopy(source, offset, shas, size * shaBytes, shaBytes);
            dates[size] = date;
            parentStart[size] = parentBytes / shaBytes;
            size++;
        }

        private void addParent(byte[] source, int offset) {
            if (parentBytes + shaBytes > parentShas.length) {
                parentShas = Arrays.copyOf(parentShas, parentShas.length * 2);
            }
            System.arraycopy(source, offset, parentShas, parentBytes, shaBytes);
            parentBytes += shaBytes;
        }

        public CommitGraph build() {
            int width = Math.max(shaBytes, 20);
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            // newest first, then sha descending: the listing's order ({committedAt: -1, _id: -1}); git log's order
            // is close to it, which TimSort makes cheap
            Arrays.sort(order, (a, b) -> {
                int byDate = Long.compare(dates[b], dates[a]);
                return byDate != 0 ? byDate
                        : Arrays.compareUnsigned(shas, b * width, (b + 1) * width, shas, a * width, (a + 1) * width);
            });
            byte[] sortedShas = new byte[size * width];
            long[] sortedDates = new long[size];
            int[] rankOfIndex = new int[size];
            int duplicates = 0;
            int[] kept = new int[size];
            int rank = 0;
            for (int i = 0; i < size; i++) {
                int index = order[i];
                if (rank > 0 && Arrays.equals(shas, index * width, (index + 1) * width, sortedShas, (rank - 1) * width, rank * width)) {
                    rankOfIndex[index] = rank - 1; // the same commit listed twice: once is enough
                    duplicates++;
                    continue;
                }
                System.arraycopy(shas, index * width, sortedShas, rank * width, width);
                sortedDates[rank] = dates[index];
                rankOfIndex[index] = rank;
                kept[rank] = index;
                rank++;
            }
            int count = size - duplicates;
            byte[] finalShas = duplicates == 0 ? sortedShas : Arrays.copyOf(sortedShas, count * width);
            long[] finalDates = duplicates == 0 ? sortedDates : Arrays.copyOf(sortedDates, count);
            int[] bySha = sortBySha(finalShas, count, width);
            CommitGraph lookup = new CommitGraph(count, width, finalShas, finalDates, new int[count + 1], new int[0], bySha);
            int[] start = new int[count + 1];
            int[] edges = new int[Math.max(16, parentBytes / width)];
            int edgeCount = 0;
            for (int r = 0; r < count; r++) {
                start[r] = edgeCount;
                int index = kept[r];
                for (int b = parentStart[index] * width; b < parentStart[index + 1] * width; b += width) {
                    int parentRank = lookup.rankOf(parentShas, b);
                    if (parentRank >= 0) {
                        if (edgeCount == edges.length) {
                            edges = Arrays.copyOf(edges, edges.length * 2);
                        }
                        edges[edgeCount++] = parentRank;
                    }
                }
            }
            start[count] = edgeCount;
            return new CommitGraph(count, width, finalShas, finalDates, start, Arrays.copyOf(edges, edgeCount), bySha);
        }

        private static int[] sortBySha(byte[] shas, int count, int width) {
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(shas, a * width, (a + 1) * width, shas, b * width, (b + 1) * width));
            int[] bySha = new int[count];
            for (int i = 0; i < count; i++) {
                bySha[i] = order[i];
            }
            return bySha;
        }
    }
}

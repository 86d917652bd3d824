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

    /**
     * A new graph of this one's commits and {@code added}'s, keeping only those reachable from
     * {@code tips}: a refresh. Linear in this graph's size (ranks remapped, arrays merged, never
     * sorted again); the added commits alone are sorted. Commits already here are not added twice.
     */
    public CommitGraph with(Builder added, Collection<String> tips) {
        int w = shaBytes;
        if (added.size() > 0 && added.shaBytes != w && size > 0) {
            throw new IllegalArgumentException("a repository with shas of two lengths");
        }
        if (size == 0) {
            return added.build().reachableFrom(tips);
        }
        // the added commits not here yet, in the listing's order
        CommitGraph fresh = added.withoutParents(this);
        int k = fresh.size;
        int total = size + k;
        byte[] mergedShas = new byte[total * w];
        long[] mergedDates = new long[total];
        int[] oldToNew = new int[size];
        int[] freshToNew = new int[k];
        int a = 0;
        int b = 0;
        for (int r = 0; r < total; r++) {
            boolean takeOld = b >= k || (a < size && !fresh.listedBefore(b, this, a));
            if (takeOld) {
                System.arraycopy(shas, a * w, mergedShas, r * w, w);
                mergedDates[r] = dates[a];
                oldToNew[a++] = r;
            } else {
                System.arraycopy(fresh.shas, b * w, mergedShas, r * w, w);
                mergedDates[r] = fresh.dates[b];
                freshToNew[b++] = r;
            }
        }
        // parents: the old ones remapped; the added ones resolved among the added, then here
        int[] start = new int[total + 1];
        int[] edges = new int[parents.length + added.parentBytes / Math.max(1, w)];
        int edgeCount = 0;
        int[] newToOld = new int[total];
        java.util.Arrays.fill(newToOld, -1);
        for (int r = 0; r < size; r++) {
            newToOld[oldToNew[r]] = r;
        }
        int[] newToFresh = new int[total];
        java.util.Arrays.fill(newToFresh, -1);
        for (int f = 0; f < k; f++) {
            newToFresh[freshToNew[f]] = f;
        }
        for (int r = 0; r < total; r++) {
            start[r] = edgeCount;
            int old = newToOld[r];
            if (old >= 0) {
                for (int p = parentStart[old]; p < parentStart[old + 1]; p++) {
                    edges[edgeCount++] = oldToNew[parents[p]];
                }
            } else {
                int f = newToFresh[r];
                int index = fresh.parentStart[f]; // the builder index of this commit (see withoutParents)
                for (int offset = added.parentStart[index] * w; offset < added.parentStart[index + 1] * w; offset += w) {
                    int parent = fresh.rankOf(added.parentShas, offset);
                    int mapped = parent >= 0 ? freshToNew[parent] : rankOfOld(added.parentShas, offset, oldToNew);
                    if (mapped >= 0) {
                        if (edgeCount == edges.length) {
                            edges = java.util.Arrays.copyOf(edges, edges.length * 2 + 1);
                        }
                        edges[edgeCount++] = mapped;
                    }
                }
            }
        }
        start[total] = edgeCount;
        // ranks by sha: the two sorted lists merged
        int[] mergedBySha = new int[total];
        a = 0;
        b = 0;
        for (int i = 0; i < total; i++) {
            boolean takeOld = b >= k || (a < size && java.util.Arrays.compareUnsigned(shas, bySha[a] * w, (bySha[a] + 1) * w,
                    fresh.shas, fresh.bySha[b] * w, (fresh.bySha[b] + 1) * w) < 0);
            mergedBySha[i] = takeOld ? oldToNew[bySha[a++]] : freshToNew[fresh.bySha[b++]];
        }
        CommitGraph merged = new CommitGraph(total, w, mergedShas, mergedDates, start,
                edgeCount == edges.length ? edges : java.util.Arrays.copyOf(edges, edgeCount), mergedBySha);
        return merged.reachableFrom(tips);
    }

    private int rankOfOld(byte[] key, int offset, int[] oldToNew) {
        int old = rankOf(key, offset);
        return old < 0 ? -1 : oldToNew[old];
    }

    /** True if this graph's commit {@code rank} is listed before {@code other}'s commit {@code otherRank}. */
    private boolean listedBefore(int rank, CommitGraph other, int otherRank) {
        if (dates[rank] != other.dates[otherRank]) {
            return dates[rank] > other.dates[otherRank];
        }
        return java.util.Arrays.compareUnsigned(shas, rank * shaBytes, (rank + 1) * shaBytes, other.shas, otherRank * shaBytes,
                (otherRank + 1) * shaBytes) > 0;
    }

    /** This graph without the commits no tip reaches (those that left every branch). Linear in its size. */
    public CommitGraph reachableFrom(Collection<String> tips) {
        int[] ranks = tips.stream().mapToInt(this::rankOf).toArray();
        BitSet keep = reachableFromAny(ranks);
        int kept = keep.cardinality();
        if (kept == size) {
            return this;
        }
        int w = shaBytes;
        int[] oldToNew = new int[size];
        byte[] keptShas = new byte[kept * w];
        long[] keptDates = new long[kept];
        int[] start = new int[kept + 1];
        int[] edges = new int[parents.length];
        int edgeCount = 0;
        int r = 0;
        for (int old = 0; old < size; old++) {
            oldToNew[old] = keep.get(old) ? r++ : -1;
        }
        for (int old = keep.nextSetBit(0); old >= 0; old = keep.nextSetBit(old + 1)) {
            int now = oldToNew[old];
            System.arraycopy(shas, old * w, keptShas, now * w, w);
            keptDates[now] = dates[old];
            start[now] = edgeCount;
            for (int p = parentStart[old]; p < parentStart[old + 1]; p++) {
                edges[edgeCount++] = oldToNew[parents[p]]; // the parents of a kept commit are kept: it reaches them
            }
        }
        start[kept] = edgeCount;
        int[] keptBySha = new int[kept];
        int i = 0;
        for (int old : bySha) {
            if (oldToNew[old] >= 0) {
                keptBySha[i++] = oldToNew[old];
            }
        }
        return new CommitGraph(kept, w, keptShas, keptDates, start, java.util.Arrays.copyOf(edges, edgeCount), keptBySha);
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

    /** What a refresh added to a graph, and the tips it kept: {@code base.with(added, tips)} is the refreshed graph. */
    public record Delta(Builder added, List<String> tips) {

        private static final int MAGIC_DELTA = 0x43564431; // "CVD1"

        /** The delta as bytes, to be stored instead of the whole graph. */
        public byte[] toBytes() {
            Builder b = added;
            int w = Math.max(b.shaBytes, 20);
            int tipBytes = tips.stream().mapToInt(tip -> 1 + tip.length()).sum();
            ByteBuffer out = ByteBuffer.allocate(16 + b.size * w + b.size * 8 + (b.size + 1) * 4 + b.parentBytes + 4 + tipBytes);
            out.putInt(MAGIC_DELTA).putInt(b.size).putInt(w).putInt(b.parentBytes);
            out.put(b.shas, 0, b.size * w);
            for (int i = 0; i < b.size; i++) {
                out.putLong(b.dates[i]);
            }
            for (int i = 0; i <= b.size; i++) {
                out.putInt(b.size == 0 ? 0 : b.parentStart[i]);
            }
            out.put(b.parentShas, 0, b.parentBytes);
            out.putInt(tips.size());
            for (String tip : tips) {
                byte[] bytes = tip.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                out.put((byte) bytes.length).put(bytes);
            }
            return out.array();
        }

        /** A delta stored by {@link #toBytes}; throws {@link IllegalArgumentException} on anything else. */
        public static Delta fromBytes(byte[] bytes) {
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                if (in.getInt() != MAGIC_DELTA) {
                    throw new IllegalArgumentException("not a commit graph delta");
                }
                Builder b = new Builder();
                int size = in.getInt();
                int w = in.getInt();
                int parentBytes = in.getInt();
                b.size = size;
                b.shaBytes = size == 0 ? -1 : w;
                b.shas = new byte[Math.max(size * w, 20)];
                in.get(b.shas, 0, size * w);
                b.dates = new long[Math.max(size, 1)];
                for (int i = 0; i < size; i++) {
                    b.dates[i] = in.getLong();
                }
                b.parentStart = new int[size + 2];
                for (int i = 0; i <= size; i++) {
                    b.parentStart[i] = in.getInt();
                }
                b.parentShas = new byte[Math.max(parentBytes, 20)];
                in.get(b.parentShas, 0, parentBytes);
                b.parentBytes = parentBytes;
                int tipCount = in.getInt();
                List<String> tips = new java.util.ArrayList<>(tipCount);
                for (int i = 0; i < tipCount; i++) {
                    byte[] tip = new byte[in.get()];
                    in.get(tip);
                    tips.add(new String(tip, java.nio.charset.StandardCharsets.US_ASCII));
                }
                return new Delta(b, tips);
            } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("a commit graph delta of the wrong length", e);
            }
        }
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

        /**
         * The commits not already in {@code existing}, each once, as a graph in the listing's order
         * without edges, whose {@code parentStart[rank]} holds the commit's index in this builder
         * (where its parents' shas are): the added side of {@link CommitGraph#with}.
         */
        private CommitGraph withoutParents(CommitGraph existing) {
            int width = Math.max(shaBytes, 20);
            java.util.List<Integer> order = new java.util.ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                if (existing.rankOf(shas, i * width) < 0) {
                    order.add(i);
                }
            }
            order.sort((x, y) -> {
                int byDate = Long.compare(dates[y], dates[x]);
                return byDate != 0 ? byDate : Arrays.compareUnsigned(shas, y * width, (y + 1) * width, shas, x * width, (x + 1) * width);
            });
            java.util.List<Integer> unique = new java.util.ArrayList<>(order.size());
            for (int index : order) {
                int last = unique.isEmpty() ? -1 : unique.get(unique.size() - 1);
                if (last < 0 || !Arrays.equals(shas, index * width, (index + 1) * width, shas, last * width, (last + 1) * width)) {
                    unique.add(index);
                }
            }
            int count = unique.size();
            byte[] sorted = new byte[count * width];
            long[] sortedDates = new long[count];
            int[] indexOf = new int[count + 1];
            for (int r = 0; r < count; r++) {
                System.arraycopy(shas, unique.get(r) * width, sorted, r * width, width);
                sortedDates[r] = dates[unique.get(r)];
                indexOf[r] = unique.get(r);
            }
            return new CommitGraph(count, width, sorted, sortedDates, indexOf, new int[0], sortBySha(sorted, count, width));
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

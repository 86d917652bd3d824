package io.commitviewer.commit.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;

/**
 * The commits on a project's branches as a graph in the listing's order (committer date
 * descending, then sha descending): commit {@code r} is the {@code r}-th of the full listing,
 * its parents are ranks too. One branch's history is the set of ranks reachable from its tip (a
 * {@link BitSet}), so a page of it is a scan of set bits from the cursor's rank and its total a
 * cardinality, at any depth (ADR 0008). About 40 bytes a commit; immutable (a {@link Builder}
 * collects the commits, a refresh makes a new graph with {@link #with}), built by a fetch and
 * stored beside its branches.
 */
public final class CommitGraph {

    private static final int MAGIC = 0x43564731; // "CVG1"
    private static final HexFormat HEX = HexFormat.of();
    /** Commits sorted by insertion before the merges of {@link #sort}. */
    private static final int RUN = 32;

    private final int size;
    private final int shaBytes;
    /** Rank {@code r}'s sha at {@code [r * shaBytes, (r + 1) * shaBytes)}. */
    private final byte[] shas;
    /** Rank {@code r}'s committer date, epoch milliseconds. */
    private final long[] dates;
    /** {@code size + 1} offsets into {@link #parents}: rank {@code r}'s parents are {@code parents[parentStart[r], parentStart[r + 1])}. */
    private final int[] parentStart;
    /** The parents' ranks, one commit's after the other's. */
    private final int[] parents;
    /** The ranks in the order of their shas (unsigned bytes): what {@link #rankOf} searches. */
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
        return find(shas, bySha, size, shaBytes, key, offset);
    }

    /** The rank among {@code count} commits whose sha is {@code key[offset, offset + width)}, or -1. */
    private static int find(byte[] shas, int[] bySha, int count, int width, byte[] key, int offset) {
        int low = 0;
        int high = count - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int rank = bySha[middle];
            int c = Arrays.compareUnsigned(shas, rank * width, (rank + 1) * width, key, offset, offset + width);
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

    /**
     * The ranks of the commits whose sha starts with the hex digits {@code prefix} (lower case, 1 to
     * the sha's length), at most {@code max} of them, in the order of their shas: a short sha's
     * commits. One binary search, then one step per commit returned.
     */
    public List<Integer> ranksWithPrefix(String prefix, int max) {
        int digits = prefix.length();
        if (digits == 0 || digits > shaBytes * 2 || !prefix.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a short sha: " + prefix);
        }
        byte[] key = new byte[shaBytes]; // the prefix followed by zeros: the least sha that starts with it
        for (int i = 0; i < digits; i++) {
            key[i / 2] |= (byte) (Character.digit(prefix.charAt(i), 16) << (i % 2 == 0 ? 4 : 0));
        }
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            int rank = bySha[middle];
            if (Arrays.compareUnsigned(shas, rank * shaBytes, (rank + 1) * shaBytes, key, 0, shaBytes) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        List<Integer> found = new ArrayList<>();
        for (int i = low; i < size && found.size() < max && startsWith(bySha[i], key, digits); i++) {
            found.add(bySha[i]);
        }
        return found;
    }

    /** Whether rank's sha starts with the first {@code digits} hex digits of {@code key}. */
    private boolean startsWith(int rank, byte[] key, int digits) {
        int offset = rank * shaBytes;
        int whole = digits / 2;
        if (Arrays.compareUnsigned(shas, offset, offset + whole, key, 0, whole) != 0) {
            return false;
        }
        return digits % 2 == 0 || (shas[offset + whole] & 0xF0) == (key[whole] & 0xF0);
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
    public BitSet reachableFromAny(int[] tips) {
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
     * -1 for a tip not counted, or not on the graph. Tips are counted oldest first, and a tip that
     * descends from the last one counted only walks what it adds to that one's history — a series
     * of releases, each tagged on top of the one before, costs one walk of the history in all.
     */
    public long[] counts(int[] tips, long budget) {
        long[] counts = new long[tips.length];
        Arrays.fill(counts, -1);
        Integer[] order = new Integer[tips.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(tips[b], tips[a])); // the graph's order is newest first
        BitSet chain = new BitSet(size); // what chainTip reaches
        BitSet added = new BitSet(size);
        int chainTip = -1;
        long chainCount = 0;
        int[] stack = new int[Math.max(16, Math.min(size, 1024))];
        long left = budget;
        Map<Integer, Long> byTip = new HashMap<>();
        for (int i : order) {
            int tip = tips[i];
            if (tip < 0) {
                continue;
            }
            Long known = byTip.get(tip);
            if (known != null) {
                counts[i] = known;
                continue;
            }
            if (chainTip >= 0 && !chain.get(tip)) {
                added.clear();
                long[] walk = reachBeyond(tip, chain, chainTip, added, stack, left);
                if (walk[0] < 0) {
                    break; // out of budget: the rest stay uncounted
                }
                left -= walk[0];
                if (walk[1] == 1) { // the tip descends from chainTip: its history is chainTip's and what it added
                    chain.or(added);
                    chainCount += added.cardinality();
                    chainTip = tip;
                    counts[i] = chainCount;
                    byTip.put(tip, chainCount);
                    continue;
                }
            }
            chain.clear();
            long visited = reach(tip, chain, stack, left);
            if (visited < 0) {
                break; // out of budget: the rest stay uncounted
            }
            left -= visited;
            chainTip = tip;
            chainCount = chain.cardinality();
            counts[i] = chainCount;
            byTip.put(tip, chainCount);
        }
        return counts;
    }

    /**
     * Marks in {@code added} what {@code tip} reaches outside {@code stop}; returns the visits made
     * (-1 past {@code budget}) and 1 if {@code stopTip} is among the commits it reaches, else 0.
     */
    private long[] reachBeyond(int tip, BitSet stop, int stopTip, BitSet added, int[] stack, long budget) {
        int[] work = stack;
        int top = 0;
        long visits = 0;
        long hit = 0;
        added.set(tip);
        work[top++] = tip;
        while (top > 0) {
            int rank = work[--top];
            if (++visits > budget) {
                return new long[] {-1, 0};
            }
            for (int p = parentStart[rank]; p < parentStart[rank + 1]; p++) {
                int parent = parents[p];
                if (stop.get(parent)) {
                    hit |= parent == stopTip ? 1 : 0;
                } else if (!added.get(parent)) {
                    added.set(parent);
                    if (top == work.length) {
                        work = Arrays.copyOf(work, work.length * 2);
                    }
                    work[top++] = parent;
                }
            }
        }
        return new long[] {visits, hit};
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
     * The builder is read, not changed.
     */
    public CommitGraph with(Builder added, Collection<String> tips) {
        return with(added, tips, false);
    }

    /**
     * {@link #with(Builder, Collection)}; {@code nothingLeft} says that every commit here is still
     * reached from {@code tips} (a refresh that found none gone): the walk that drops the others is
     * skipped.
     */
    public CommitGraph with(Builder added, Collection<String> tips, boolean nothingLeft) {
        int w = shaBytes;
        if (added.size() > 0 && added.shaBytes != w && size > 0) {
            throw new IllegalArgumentException("a repository with shas of two lengths");
        }
        if (size == 0) {
            return added.build().reachableFrom(tips);
        }
        // the added commits not here yet, in the listing's order
        SortedCommits fresh = added.sorted(this);
        int k = fresh.size;
        int total = size + k;
        byte[] mergedShas = new byte[total * w];
        long[] mergedDates = new long[total];
        int[] oldToNew = new int[size];
        int[] freshToNew = new int[k];
        int[] source = new int[total]; // where each new rank comes from: an old rank, or ~ a fresh one
        int a = 0;
        int b = 0;
        for (int r = 0; r < total; r++) {
            boolean takeOld = b >= k || (a < size && !fresh.listedBefore(b, this, a));
            if (takeOld) {
                System.arraycopy(shas, a * w, mergedShas, r * w, w);
                mergedDates[r] = dates[a];
                source[r] = a;
                oldToNew[a++] = r;
            } else {
                System.arraycopy(fresh.shas, b * w, mergedShas, r * w, w);
                mergedDates[r] = fresh.dates[b];
                source[r] = ~b;
                freshToNew[b++] = r;
            }
        }
        // parents: the old ones remapped; the added ones resolved among the added, then here
        int[] start = new int[total + 1];
        int[] edges = new int[parents.length + added.parentCount()]; // at most: each parent listed gives one edge
        int edgeCount = 0;
        for (int r = 0; r < total; r++) {
            start[r] = edgeCount;
            int from = source[r];
            if (from >= 0) {
                for (int p = parentStart[from]; p < parentStart[from + 1]; p++) {
                    edges[edgeCount++] = oldToNew[parents[p]];
                }
            } else {
                int index = fresh.index[~from];
                for (int offset = added.firstParent[index] * w; offset < added.firstParent[index + 1] * w; offset += w) {
                    int parent = fresh.rankOf(added.parentShas, offset);
                    int mapped = parent >= 0 ? freshToNew[parent] : rankOfOld(added.parentShas, offset, oldToNew);
                    if (mapped >= 0) {
                        edges[edgeCount++] = mapped;
                    }
                }
            }
        }
        start[total] = edgeCount;
        // ranks by sha: each added sha's place among the old ones found by a binary search, the old ones
        // between two places copied without a comparison (a refresh adds few to many: k log n, not n, compares)
        int[] mergedBySha = new int[total];
        int i = 0;
        a = 0;
        for (b = 0; b < k; b++) {
            int freshRank = fresh.bySha[b];
            for (int place = placeOf(fresh.shas, freshRank * w); a < place; ) {
                mergedBySha[i++] = oldToNew[bySha[a++]];
            }
            mergedBySha[i++] = freshToNew[freshRank];
        }
        while (a < size) {
            mergedBySha[i++] = oldToNew[bySha[a++]];
        }
        CommitGraph merged = new CommitGraph(total, w, mergedShas, mergedDates, start, trimmed(edges, edgeCount), mergedBySha);
        return nothingLeft ? merged : merged.reachableFrom(tips);
    }

    /** How many of this graph's shas sort before {@code key[offset, offset + width)} (unsigned bytes). */
    private int placeOf(byte[] key, int offset) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            int rank = bySha[middle];
            if (Arrays.compareUnsigned(shas, rank * shaBytes, (rank + 1) * shaBytes, key, offset, offset + shaBytes) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private int rankOfOld(byte[] key, int offset, int[] oldToNew) {
        int old = rankOf(key, offset);
        return old < 0 ? -1 : oldToNew[old];
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
        return new CommitGraph(kept, w, keptShas, keptDates, start, trimmed(edges, edgeCount), keptBySha);
    }

    private static int[] trimmed(int[] edges, int count) {
        return count == edges.length ? edges : Arrays.copyOf(edges, count);
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
        IntBuffer ints = in.asIntBuffer();
        ints.get(parentStart).get(parents).get(bySha);
        return new CommitGraph(size, shaBytes, shas, dates, parentStart, parents, bySha);
    }

    /** What a refresh added to a graph, and the tips it kept: {@code base.with(added, tips)} is the refreshed graph. */
    public record Delta(Builder added, List<String> tips) {

        private static final int MAGIC_DELTA = 0x43564431; // "CVD1"

        /** The delta as bytes, to be stored instead of the whole graph: the builder's commits as added, then the tips. */
        public byte[] toBytes() {
            int tipBytes = tips.stream().mapToInt(tip -> 1 + tip.length()).sum();
            ByteBuffer out = ByteBuffer.allocate(4 + added.serializedBytes() + 4 + tipBytes);
            out.putInt(MAGIC_DELTA);
            added.writeTo(out);
            out.putInt(tips.size());
            for (String tip : tips) {
                byte[] bytes = tip.getBytes(StandardCharsets.US_ASCII);
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
                Builder added = Builder.readFrom(in);
                int tipCount = in.getInt();
                if (tipCount < 0 || tipCount > in.remaining()) {
                    throw new IllegalArgumentException("a commit graph delta of the wrong length");
                }
                List<String> tips = new ArrayList<>(tipCount);
                for (int i = 0; i < tipCount; i++) {
                    byte[] tip = new byte[in.get()];
                    in.get(tip);
                    tips.add(new String(tip, StandardCharsets.US_ASCII));
                }
                return new Delta(added, tips);
            } catch (BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("a commit graph delta of the wrong length", e);
            }
        }
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
     * Sorts {@code items[0, count)} by {@code order}, equal items kept in their order: a merge sort
     * of ints (no boxing) that skips the merge of two runs already in order, so that input close
     * to sorted (git log's order against the listing's) costs little more than a pass.
     */
    private static void sort(int[] items, int count, IntBinaryOperator order) {
        for (int low = 0; low < count; low += RUN) {
            int high = Math.min(low + RUN, count);
            for (int i = low + 1; i < high; i++) {
                int item = items[i];
                int j = i - 1;
                while (j >= low && order.applyAsInt(items[j], item) > 0) {
                    items[j + 1] = items[j];
                    j--;
                }
                items[j + 1] = item;
            }
        }
        if (count <= RUN) {
            return;
        }
        int[] source = items;
        int[] target = new int[count];
        for (int run = RUN; run < count; run = run > count / 2 ? count : run * 2) {
            int low = 0;
            while (low < count) {
                int middle = (int) Math.min((long) low + run, count);
                int high = (int) Math.min((long) middle + run, count);
                merge(source, target, low, middle, high, order);
                low = high;
            }
            int[] merged = target;
            target = source;
            source = merged;
        }
        if (source != items) {
            System.arraycopy(source, 0, items, 0, count);
        }
    }

    /** Merges the sorted runs {@code source[low, middle)} and {@code source[middle, high)} into {@code target[low, high)}. */
    private static void merge(int[] source, int[] target, int low, int middle, int high, IntBinaryOperator order) {
        if (middle == high || order.applyAsInt(source[middle - 1], source[middle]) <= 0) {
            System.arraycopy(source, low, target, low, high - low); // in order already
            return;
        }
        int a = low;
        int b = middle;
        int r = low;
        while (a < middle && b < high) {
            if (order.applyAsInt(source[b], source[a]) < 0) {
                target[r++] = source[b++];
            } else {
                target[r++] = source[a++]; // ties from the left run: stable
            }
        }
        System.arraycopy(source, a, target, r, middle - a);
        System.arraycopy(source, b, target, r + middle - a, high - b);
    }

    /** The commits {@code 0..count-1} ({@code width}-byte shas one after the other) in the order of their shas. */
    private static int[] shaOrder(byte[] shas, int count, int width) {
        int[] ranks = new int[count];
        for (int i = 0; i < count; i++) {
            ranks[i] = i;
        }
        sort(ranks, count, (x, y) -> Arrays.compareUnsigned(shas, x * width, (x + 1) * width, shas, y * width, (y + 1) * width));
        return ranks;
    }

    /**
     * A builder's commits in the listing's order, each once, without edges: the step between the
     * commits as added and a graph (all of them for {@link Builder#build}, those a graph lacks for
     * {@link CommitGraph#with}).
     */
    private static final class SortedCommits {
        private final int size;
        private final int width;
        /** Rank {@code r}'s sha at {@code [r * width, (r + 1) * width)}. */
        private final byte[] shas;
        private final long[] dates;
        /** Rank {@code r}'s index in the builder: where its parents' shas are. */
        private final int[] index;
        /** The ranks in the order of their shas. */
        private final int[] bySha;

        private SortedCommits(int size, int width, byte[] shas, long[] dates, int[] index, int[] bySha) {
            this.size = size;
            this.width = width;
            this.shas = shas;
            this.dates = dates;
            this.index = index;
            this.bySha = bySha;
        }

        private int rankOf(byte[] key, int offset) {
            return find(shas, bySha, size, width, key, offset);
        }

        /** True if commit {@code rank} here is listed before {@code other}'s commit {@code otherRank}. */
        private boolean listedBefore(int rank, CommitGraph other, int otherRank) {
            if (dates[rank] != other.dates[otherRank]) {
                return dates[rank] > other.dates[otherRank];
            }
            return Arrays.compareUnsigned(shas, rank * width, (rank + 1) * width, other.shas, otherRank * other.shaBytes,
                    (otherRank + 1) * other.shaBytes) > 0;
        }
    }

    /**
     * Collects commits in any order; {@link #build} sorts them into the listing's order and links
     * parents by rank. Parents that are not among the commits (beyond a shallow edge, or cut by
     * the parser's cap) are left out. Building does not change the builder: {@code build()} again
     * gives an equal graph, commits added afterwards are in the next one only, and no graph shares
     * an array with it (a refresh writes its {@link Delta} from the builder after building).
     */
    public static final class Builder {
        private int size;
        /** 20 (SHA-1) or 32 (SHA-256) once a commit is added, -1 before. */
        private int shaBytes = -1;
        /** Commit {@code i}'s sha at {@code [i * shaBytes, (i + 1) * shaBytes)}, in the order added (twice if added twice). */
        private byte[] shas = new byte[1024 * 20];
        private long[] dates = new long[1024];
        /**
         * Offsets into {@link #parentShas}, counted in shas (one more than {@link #dates} holds):
         * commit {@code i}'s parents are the shas {@code firstParent[i]} to {@code firstParent[i + 1]}
         * (exclusive), whether or not they are among the commits.
         */
        private int[] firstParent = new int[1025];
        private byte[] parentShas = new byte[1024 * 20];
        private int parentBytes;

        /** Adds a commit: its sha, its committer date in epoch milliseconds, its parents' shas. */
        public void add(String sha, long date, List<String> parentIds) {
            byte[] key = parse(sha);
            if (key == null) {
                throw new IllegalArgumentException("not a commit sha: " + sha);
            }
            begin(key, date);
            for (String parent : parentIds) {
                byte[] p = parse(parent);
                if (p != null && p.length == shaBytes) {
                    addParent(p);
                }
            }
            firstParent[size] = parentBytes / shaBytes;
        }

        public int size() {
            return size;
        }

        private void begin(byte[] sha, long date) {
            if (shaBytes < 0) {
                shaBytes = sha.length;
            } else if (sha.length != shaBytes) {
                throw new IllegalArgumentException("a repository with shas of two lengths");
            }
            if (size == dates.length) {
                dates = Arrays.copyOf(dates, Math.max(16, size * 2));
                firstParent = Arrays.copyOf(firstParent, dates.length + 1);
            }
            if ((size + 1) * shaBytes > shas.length) {
                shas = Arrays.copyOf(shas, Math.max(shas.length * 2, (size + 1) * shaBytes));
            }
            System.arraycopy(sha, 0, shas, size * shaBytes, shaBytes);
            dates[size] = date;
            firstParent[size] = parentBytes / shaBytes;
            size++;
            firstParent[size] = firstParent[size - 1]; // no parents yet
        }

        private void addParent(byte[] sha) {
            if (parentBytes + shaBytes > parentShas.length) {
                parentShas = Arrays.copyOf(parentShas, Math.max(parentShas.length * 2, parentBytes + shaBytes));
            }
            System.arraycopy(sha, 0, parentShas, parentBytes, shaBytes);
            parentBytes += shaBytes;
        }

        /** The width of the shas: 20 while there are none. */
        private int width() {
            return Math.max(shaBytes, 20);
        }

        /** The parents' shas listed, all commits together: at most the edges they give. */
        private int parentCount() {
            return parentBytes / width();
        }

        /** A graph of the commits added so far; the builder stays as it is. */
        public CommitGraph build() {
            SortedCommits sorted = sorted(null);
            int count = sorted.size;
            int width = sorted.width;
            int[] start = new int[count + 1];
            int[] edges = new int[parentCount()];
            int edgeCount = 0;
            for (int r = 0; r < count; r++) {
                start[r] = edgeCount;
                int index = sorted.index[r];
                for (int offset = firstParent[index] * width; offset < firstParent[index + 1] * width; offset += width) {
                    int parentRank = sorted.rankOf(parentShas, offset);
                    if (parentRank >= 0) {
                        edges[edgeCount++] = parentRank;
                    }
                }
            }
            start[count] = edgeCount;
            return new CommitGraph(count, width, sorted.shas, sorted.dates, start, trimmed(edges, edgeCount), sorted.bySha);
        }

        /**
         * The commits not in {@code existing} (all of them when null), in the listing's order, each
         * once: of a sha added twice, the first added.
         */
        private SortedCommits sorted(CommitGraph existing) {
            int width = width();
            byte[] added = shas;
            long[] when = dates;
            int[] order = new int[size];
            int count = 0;
            for (int i = 0; i < size; i++) {
                if (existing == null || existing.rankOf(added, i * width) < 0) {
                    order[count++] = i;
                }
            }
            // newest first, then sha descending: the listing's order ({committedAt: -1, _id: -1}); git log's order
            // is close to it, which the sort makes cheap
            sort(order, count, (x, y) -> {
                int byDate = Long.compare(when[y], when[x]);
                return byDate != 0 ? byDate
                        : Arrays.compareUnsigned(added, y * width, (y + 1) * width, added, x * width, (x + 1) * width);
            });
            int unique = 0;
            for (int i = 0; i < count; i++) {
                int index = order[i];
                int last = unique == 0 ? -1 : order[unique - 1];
                if (last < 0 || !Arrays.equals(added, index * width, (index + 1) * width, added, last * width, (last + 1) * width)) {
                    order[unique++] = index; // in place: unique <= i
                }
            }
            byte[] sortedShas = new byte[unique * width];
            long[] sortedDates = new long[unique];
            for (int r = 0; r < unique; r++) {
                System.arraycopy(added, order[r] * width, sortedShas, r * width, width);
                sortedDates[r] = when[order[r]];
            }
            int[] builderIndex = unique == order.length ? order : Arrays.copyOf(order, unique);
            return new SortedCommits(unique, width, sortedShas, sortedDates, builderIndex, shaOrder(sortedShas, unique, width));
        }

        /** Bytes {@link #writeTo} writes. */
        private int serializedBytes() {
            return 12 + size * width() + size * 8 + (size + 1) * 4 + parentBytes;
        }

        /** The commits as added: their count, the sha width, the parents' bytes, shas, dates, parent offsets, parents' shas. */
        private void writeTo(ByteBuffer out) {
            int w = width();
            out.putInt(size).putInt(w).putInt(parentBytes);
            out.put(shas, 0, size * w);
            for (int i = 0; i < size; i++) {
                out.putLong(dates[i]);
            }
            for (int i = 0; i <= size; i++) {
                out.putInt(size == 0 ? 0 : firstParent[i]);
            }
            out.put(parentShas, 0, parentBytes);
        }

        /** A builder written by {@link #writeTo}; throws {@link IllegalArgumentException} when its parts do not fit together. */
        private static Builder readFrom(ByteBuffer in) {
            int size = in.getInt();
            int w = in.getInt();
            int parentBytes = in.getInt();
            if (size < 0 || parentBytes < 0 || (w != 20 && w != 32) || parentBytes % w != 0
                    || (long) size * (w + 8) + (size + 1L) * 4 + parentBytes > in.remaining()) {
                throw new IllegalArgumentException("a commit graph delta of the wrong length");
            }
            Builder b = new Builder();
            b.size = size;
            b.shaBytes = size == 0 ? -1 : w;
            b.shas = new byte[Math.max(size * w, 20)];
            in.get(b.shas, 0, size * w);
            b.dates = new long[Math.max(size, 1)];
            for (int i = 0; i < size; i++) {
                b.dates[i] = in.getLong();
            }
            b.firstParent = new int[b.dates.length + 1];
            for (int i = 0; i <= size; i++) {
                b.firstParent[i] = in.getInt();
                if (i == 0 ? b.firstParent[0] != 0 : b.firstParent[i] < b.firstParent[i - 1]) {
                    throw new IllegalArgumentException("a commit graph delta with parents out of order");
                }
            }
            if (b.firstParent[size] != parentBytes / w) {
                throw new IllegalArgumentException("a commit graph delta with parents out of order");
            }
            b.parentShas = new byte[Math.max(parentBytes, 20)];
            in.get(b.parentShas, 0, parentBytes);
            b.parentBytes = parentBytes;
            return b;
        }
    }
}

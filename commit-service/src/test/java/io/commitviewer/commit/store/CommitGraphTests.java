package io.commitviewer.commit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommitGraphTests {

    /** A random history: commits with 1-3 earlier parents (some none: several roots), dates with ties and out of order. */
    private record Fake(String sha, long date, List<String> parents) {
    }

    private static List<Fake> history(long seed, int size) {
        Random random = new Random(seed);
        List<Fake> commits = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            byte[] sha = new byte[20];
            random.nextBytes(sha);
            List<String> parents = new ArrayList<>();
            if (i > 0 && random.nextInt(20) != 0) {
                int count = 1 + (random.nextInt(6) == 0 ? 1 + random.nextInt(2) : 0);
                for (int p = 0; p < count; p++) {
                    parents.add(commits.get(Math.max(0, i - 1 - random.nextInt(Math.min(i, 30)))).sha());
                }
            }
            long date = 1_700_000_000_000L + (i / 3) * 1000L - random.nextInt(3) * 5000L; // ties and skew
            commits.add(new Fake(HexFormat.of().formatHex(sha), date, List.copyOf(new HashSet<>(parents))));
        }
        return commits;
    }

    private static CommitGraph build(List<Fake> commits) {
        CommitGraph.Builder builder = CommitGraph.builder();
        List<Fake> shuffled = new ArrayList<>(commits);
        java.util.Collections.shuffle(shuffled, new Random(7));
        shuffled.forEach(c -> builder.add(c.sha(), c.date(), c.parents()));
        return builder.build();
    }

    private static Set<String> ancestors(Map<String, Fake> bySha, String tip) {
        Set<String> seen = new HashSet<>();
        Deque<String> work = new ArrayDeque<>(List.of(tip));
        while (!work.isEmpty()) {
            String sha = work.pop();
            if (bySha.containsKey(sha) && seen.add(sha)) {
                work.addAll(bySha.get(sha).parents());
            }
        }
        return seen;
    }

    private static final Comparator<Fake> LISTING = Comparator.comparingLong(Fake::date).reversed()
            .thenComparing(Fake::sha, Comparator.reverseOrder());

    private static List<String> inListingOrder(List<Fake> commits, Set<String> keep) {
        return commits.stream().filter(c -> keep.contains(c.sha())).sorted(LISTING).map(Fake::sha).toList();
    }

    private static List<String> shas(CommitGraph graph, BitSet ranks) {
        List<String> shas = new ArrayList<>();
        ranks.stream().forEach(rank -> shas.add(graph.sha(rank)));
        return shas;
    }

    @Test
    void ranksFollowTheListingOrderAndEachTipReachesExactlyItsAncestors() {
        List<Fake> commits = history(1, 3000);
        Map<String, Fake> bySha = new HashMap<>();
        commits.forEach(c -> bySha.put(c.sha(), c));
        CommitGraph graph = build(commits);

        assertThat(graph.size()).isEqualTo(3000);
        List<String> all = new ArrayList<>();
        for (int rank = 0; rank < graph.size(); rank++) {
            all.add(graph.sha(rank));
            assertThat(graph.rankOf(graph.sha(rank))).isEqualTo(rank);
        }
        assertThat(all).isEqualTo(inListingOrder(commits, bySha.keySet()));
        for (Fake tip : List.of(commits.get(2999), commits.get(1500), commits.get(10), commits.get(0))) {
            assertThat(shas(graph, graph.reachable(graph.rankOf(tip.sha()))))
                    .isEqualTo(inListingOrder(commits, ancestors(bySha, tip.sha())));
        }
        assertThat(graph.rankOf("0".repeat(40))).isEqualTo(-1);
        assertThat(graph.rankOf("not a sha")).isEqualTo(-1);
    }

    @Test
    void aCursorPositionFindsTheNextRankWhetherOrNotItsCommitIsThere() {
        List<Fake> commits = history(2, 500);
        CommitGraph graph = build(commits);
        for (int rank = 0; rank < graph.size(); rank++) {
            assertThat(graph.firstAfter(graph.date(rank), graph.sha(rank))).isEqualTo(rank + 1);
        }
        // a position between two commits (a commit since removed): the next one listed after it
        int rank = 100;
        String before = graph.sha(rank);
        String lower = before.substring(0, 39) + (before.charAt(39) == '0' ? "0" : Character.forDigit(Character.digit(before.charAt(39), 16) - 1, 16));
        int expected = graph.firstAfter(graph.date(rank), lower);
        assertThat(expected).isBetween(rank + 1, graph.size());
        assertThat(graph.firstAfter(Long.MAX_VALUE, "f".repeat(40))).isZero();
        assertThat(graph.firstAfter(Long.MIN_VALUE, "0".repeat(40))).isEqualTo(graph.size());
    }

    @Test
    void dateBoundsAreRangesOfRanks() {
        List<Fake> commits = history(3, 1000);
        CommitGraph graph = build(commits);
        long until = commits.get(600).date();
        long since = commits.get(200).date();
        int from = graph.firstAtOrBefore(until);
        int to = graph.endAtOrAfter(since);
        for (int rank = 0; rank < graph.size(); rank++) {
            boolean inside = graph.date(rank) <= until && graph.date(rank) >= since;
            assertThat(rank >= from && rank < to).as("rank %d", rank).isEqualTo(inside);
        }
        assertThat(graph.firstAtOrBefore(Long.MAX_VALUE)).isZero();
    }

    @Test
    void countsAreExactWithinTheBudgetAndAbsentBeyondIt() {
        List<Fake> commits = history(4, 2000);
        Map<String, Fake> bySha = new HashMap<>();
        commits.forEach(c -> bySha.put(c.sha(), c));
        CommitGraph graph = build(commits);
        int[] tips = {graph.rankOf(commits.get(1999).sha()), graph.rankOf(commits.get(1000).sha()), -1,
            graph.rankOf(commits.get(1999).sha())};

        long[] counts = graph.counts(tips, Long.MAX_VALUE);
        assertThat(counts).containsExactly(ancestors(bySha, commits.get(1999).sha()).size(),
                ancestors(bySha, commits.get(1000).sha()).size(), -1, ancestors(bySha, commits.get(1999).sha()).size());
        long[] cut = graph.counts(tips, counts[1] + 10); // oldest first: the older tip fits, the newer one's walk not
        assertThat(cut[1]).isEqualTo(counts[1]);
        assertThat(cut[0]).as("past the budget: not counted").isEqualTo(-1);
    }

    @Test
    void countsOfManyTipsAreEachTipsHistoryWhateverTheirOrderAndCostAboutOneWalk() {
        List<Fake> commits = history(6, 3000);
        Map<String, Fake> bySha = new HashMap<>();
        commits.forEach(c -> bySha.put(c.sha(), c));
        CommitGraph graph = build(commits);
        java.util.Random random = new java.util.Random(11);
        int[] tips = new int[400];
        for (int i = 0; i < tips.length; i++) {
            tips[i] = random.nextInt(graph.size());
        }
        long[] counts = graph.counts(tips, Long.MAX_VALUE);
        for (int i = 0; i < tips.length; i++) {
            assertThat(counts[i]).as("tip %d", i).isEqualTo(graph.reachable(tips[i]).cardinality());
        }
        // a release series, each tag on top of the one before, named in any order: counted within two walks of the line
        List<Fake> line = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            line.add(new Fake(String.format("%040x", i + 1), 1_700_000_000_000L + i * 1000L,
                    i == 0 ? List.of() : List.of(line.get(i - 1).sha())));
        }
        CommitGraph linear = build(line);
        List<Integer> series = new ArrayList<>();
        for (int i = 0; i < line.size(); i += 7) {
            series.add(linear.rankOf(line.get(i).sha()));
        }
        Collections.shuffle(series, new java.util.Random(3));
        int[] releases = series.stream().mapToInt(Integer::intValue).toArray();
        long[] lineCounts = linear.counts(releases, 2L * linear.size());
        for (int i = 0; i < releases.length; i++) {
            assertThat(lineCounts[i]).isEqualTo(linear.reachable(releases[i]).cardinality());
        }
    }

    @Test
    void aRefreshAddsTheNewCommitsAndDropsWhatNoTipReaches() {
        List<Fake> commits = history(5, 1200);
        Map<String, Fake> bySha = new HashMap<>();
        commits.forEach(c -> bySha.put(c.sha(), c));
        String oldTip = commits.get(1199).sha();
        CommitGraph before = build(commits).reachableFrom(List.of(oldTip));
        // new commits on top of an older commit: the old tip's own line leaves (a force-push)
        String base = before.sha(before.size() / 2); // below the old tip
        CommitGraph.Builder added = CommitGraph.builder();
        List<Fake> fresh = new ArrayList<>();
        String parent = base;
        for (int i = 0; i < 5; i++) {
            Fake commit = new Fake(String.format("%040x", i + 1), 1_800_000_000_000L + i, List.of(parent));
            fresh.add(commit);
            bySha.put(commit.sha(), commit);
            added.add(commit.sha(), commit.date(), commit.parents());
            parent = commit.sha();
        }

        CommitGraph after = before.with(added, List.of(parent));

        Set<String> expected = ancestors(bySha, parent);
        List<Fake> everything = new ArrayList<>(commits);
        everything.addAll(fresh);
        assertThat(shas(after, all(after))).isEqualTo(inListingOrder(everything, expected));
        assertThat(expected).doesNotContain(oldTip);
        assertThat(after.rankOf(oldTip)).as("the old tip left").isEqualTo(-1);
        assertThat(after.size()).isLessThan(before.size() + 5);
    }

    private static BitSet all(CommitGraph graph) {
        BitSet all = new BitSet();
        all.set(0, graph.size());
        return all;
    }

    @Test
    void storedBytesReadBackToTheSameGraphAndAnythingElseIsRefused() {
        CommitGraph graph = build(history(6, 700));
        CommitGraph read = CommitGraph.fromBytes(graph.toBytes());
        assertThat(read.size()).isEqualTo(graph.size());
        for (int rank = 0; rank < graph.size(); rank++) {
            assertThat(read.sha(rank)).isEqualTo(graph.sha(rank));
            assertThat(read.date(rank)).isEqualTo(graph.date(rank));
            assertThat(read.reachable(rank)).isEqualTo(graph.reachable(rank));
        }
        byte[] bytes = graph.toBytes();
        assertThatThrownBy(() -> CommitGraph.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitGraph.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThat(CommitGraph.fromBytes(CommitGraph.builder().build().toBytes()).size()).isZero();
    }

    @Test
    void aCommitListedTwiceIsOneCommitAndUnknownParentsAreLeftOut() {
        CommitGraph.Builder builder = CommitGraph.builder();
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        builder.add(a, 1000, List.of());
        builder.add(b, 2000, List.of(a, "c".repeat(40)));
        builder.add(b, 2000, List.of(a, "c".repeat(40)));
        CommitGraph graph = builder.build();
        assertThat(graph.size()).isEqualTo(2);
        assertThat(shas(graph, graph.reachable(graph.rankOf(b)))).containsExactly(b, a);
    }

    @Test
    void aDeltaOfSha256CommitsWithManyTipsReadsBackToTheSameRefresh() {
        CommitGraph.Builder base = CommitGraph.builder();
        List<String> tips = new ArrayList<>();
        String parent = null;
        for (int i = 0; i < 20; i++) {
            String sha = String.format("%064x", i + 1);
            base.add(sha, 1000L * i, parent == null ? List.of() : List.of(parent));
            parent = sha;
        }
        CommitGraph before = base.build();
        CommitGraph.Builder added = CommitGraph.builder();
        for (int i = 0; i < 7; i++) {
            String sha = String.format("%064x", 100 + i);
            added.add(sha, 100_000L + i, List.of(String.format("%064x", 1 + i * 2)));
            tips.add(sha);
        }
        CommitGraph.Delta delta = new CommitGraph.Delta(added, tips);

        CommitGraph.Delta read = CommitGraph.Delta.fromBytes(delta.toBytes());

        CommitGraph direct = before.with(added, tips);
        CommitGraph replayed = before.with(read.added(), read.tips());
        assertThat(read.tips()).isEqualTo(tips);
        assertThat(replayed.size()).isEqualTo(direct.size());
        for (int rank = 0; rank < direct.size(); rank++) {
            assertThat(replayed.sha(rank)).isEqualTo(direct.sha(rank));
            assertThat(replayed.reachable(rank)).isEqualTo(direct.reachable(rank));
        }
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(new byte[] {0, 1})).isInstanceOf(IllegalArgumentException.class);
    }

    private static CommitGraph inOrder(List<Fake> commits) {
        CommitGraph.Builder builder = CommitGraph.builder();
        commits.forEach(c -> builder.add(c.sha(), c.date(), c.parents()));
        return builder.build();
    }

    /** A merge of two lines from one root (dates 3000, 2500, 2000, 1000) as stored: header, shas, dates, offsets, parents, ranks by sha. */
    private static byte[] storedDiamond(String merge, String right, String left, String root) {
        ByteBuffer stored = ByteBuffer.allocate(16 + 4 * 20 + 4 * 8 + 13 * 4);
        stored.putInt(0x43564731).putInt(4).putInt(20).putInt(4);
        for (String sha : List.of(merge, right, left, root)) {
            stored.put(HexFormat.of().parseHex(sha));
        }
        for (long date : new long[] {3000, 2500, 2000, 1000}) {
            stored.putLong(date);
        }
        // offsets 0 2 3 4 4; the merge's parents left then right (as listed), each line's the root; shas 1 < 2 < 3 < 4
        for (int value : new int[] {0, 2, 3, 4, 4, 2, 1, 3, 3, 3, 2, 1, 0}) {
            stored.putInt(value);
        }
        return stored.array();
    }

    @Test
    void aMergeLinksBothParentsAndTheGraphIsStoredInItsFormat() {
        String root = "1".repeat(40);
        String left = "2".repeat(40);
        String right = "3".repeat(40);
        String merge = "4".repeat(40);
        CommitGraph.Builder builder = CommitGraph.builder();
        // a parent outside the commits, and one of another sha length, are left out
        builder.add(merge, 3000, List.of(left, "5".repeat(40), right, "a".repeat(64)));
        builder.add(root, 1000, List.of());
        builder.add(right, 2500, List.of(root));
        builder.add(left, 2000, List.of(root));

        CommitGraph graph = builder.build();

        assertThat(graph.toBytes()).isEqualTo(storedDiamond(merge, right, left, root));
        assertThat(shas(graph, graph.reachable(graph.rankOf(merge)))).containsExactly(merge, right, left, root);
        assertThat(shas(graph, graph.reachable(graph.rankOf(right)))).containsExactly(right, root);
        assertThat(graph.counts(new int[] {0, 1, 2, 3}, Long.MAX_VALUE)).containsExactly(4, 2, 2, 1);
        assertThat(graph.rankOf("5".repeat(40))).isEqualTo(-1);
        assertThat(CommitGraph.fromBytes(graph.toBytes()).toBytes()).isEqualTo(graph.toBytes());
    }

    @Test
    void aRefreshMergingANewLineIntoAnOldOneLinksParentsOnBothSides() {
        String root = "1".repeat(40);
        String left = "2".repeat(40);
        String right = "3".repeat(40);
        String merge = "4".repeat(40);
        CommitGraph.Builder base = CommitGraph.builder();
        base.add(root, 1000, List.of());
        base.add(left, 2000, List.of(root));
        CommitGraph before = base.build();
        CommitGraph.Builder added = CommitGraph.builder();
        added.add(right, 2500, List.of(root)); // a parent in the graph
        added.add(merge, 3000, List.of(left, "5".repeat(40), right)); // in the graph, nowhere, added
        added.add(left, 2000, List.of(root)); // listed again: already there

        CommitGraph after = before.with(added, List.of(merge));

        assertThat(after.toBytes()).isEqualTo(storedDiamond(merge, right, left, root));
        assertThat(before.size()).as("the graph refreshed is unchanged").isEqualTo(2);
        assertThat(added.size()).as("the builder too").isEqualTo(3);
    }

    @Test
    void buildingAgainGivesTheSameGraphAndCommitsAddedAfterAreOnlyInTheNext() {
        List<Fake> commits = history(9, 400);
        CommitGraph.Builder builder = CommitGraph.builder();
        commits.forEach(c -> builder.add(c.sha(), c.date(), c.parents()));
        CommitGraph first = builder.build();
        byte[] firstBytes = first.toBytes();

        assertThat(builder.build().toBytes()).isEqualTo(firstBytes);

        String tip = commits.get(399).sha();
        String next = "f".repeat(40);
        builder.add(next, 1_900_000_000_000L, List.of(tip));
        CommitGraph second = builder.build();

        assertThat(first.toBytes()).as("a graph built shares nothing with its builder").isEqualTo(firstBytes);
        assertThat(first.rankOf(next)).isEqualTo(-1);
        assertThat(second.size()).isEqualTo(first.size() + 1);
        assertThat(second.rankOf(next)).isZero();
        assertThat(second.reachable(0).cardinality()).isEqualTo(first.reachable(first.rankOf(tip)).cardinality() + 1);
    }

    @Test
    void theOrderCommitsAreAddedInAndCommitsAddedTwiceDoNotChangeTheGraph() {
        List<Fake> commits = history(10, 2500);
        List<Fake> listed = commits.stream().sorted(LISTING).toList();
        List<Fake> reversed = new ArrayList<>(listed);
        Collections.reverse(reversed);
        List<Fake> twice = new ArrayList<>(commits);
        twice.addAll(commits.subList(0, 700));
        CommitGraph graph = inOrder(listed);
        byte[] expected = graph.toBytes();

        assertThat(shas(graph, all(graph))).isEqualTo(listed.stream().map(Fake::sha).toList());
        assertThat(inOrder(reversed).toBytes()).isEqualTo(expected);
        assertThat(inOrder(twice).toBytes()).isEqualTo(expected);
        assertThat(build(commits).toBytes()).isEqualTo(expected);
    }

    /**
     * A refresh that removes nothing (every tip kept) skips the walk that drops commits, and places
     * the added shas among the old ones by binary search: the same graph, every sha at its rank.
     */
    @Test
    void aRefreshThatRemovesNothingBuildsTheSameGraphWithoutItsWalk() {
        List<Fake> commits = history(11, 3000);
        Set<String> parents = new java.util.HashSet<>();
        commits.forEach(c -> parents.addAll(c.parents()));
        List<String> tips = commits.stream().map(Fake::sha).filter(sha -> !parents.contains(sha)).toList();
        CommitGraph before = build(commits.subList(0, 2000));
        CommitGraph.Builder added = CommitGraph.builder();
        commits.subList(1950, 3000).forEach(c -> added.add(c.sha(), c.date(), c.parents()));
        CommitGraph whole = build(commits).reachableFrom(tips);

        CommitGraph refreshed = before.with(added, tips, true);

        assertThat(refreshed.size()).isEqualTo(3000);
        assertThat(refreshed.toBytes()).isEqualTo(whole.toBytes()).isEqualTo(before.with(added, tips, false).toBytes());
        for (Fake commit : commits) {
            assertThat(refreshed.rankOf(commit.sha())).as(commit.sha()).isEqualTo(whole.rankOf(commit.sha()));
        }
        assertThat(refreshed.rankOf("0".repeat(40))).isEqualTo(-1);
    }

    @Test
    void aRefreshBuildsTheSameGraphAsBuildingEverythingAtOnce() {
        List<Fake> commits = history(8, 1500);
        CommitGraph before = build(commits.subList(0, 900));
        CommitGraph.Builder added = CommitGraph.builder();
        // what a refresh lists: the new commits, and some the graph has already
        commits.subList(850, 1500).forEach(c -> added.add(c.sha(), c.date(), c.parents()));
        List<String> tips = List.of(commits.get(1499).sha(), commits.get(1200).sha());
        byte[] whole = build(commits).reachableFrom(tips).toBytes();

        CommitGraph refreshed = before.with(added, tips);
        CommitGraph replayed = before.with(CommitGraph.Delta.fromBytes(new CommitGraph.Delta(added, tips).toBytes()).added(), tips);

        assertThat(refreshed.toBytes()).isEqualTo(whole);
        assertThat(replayed.toBytes()).isEqualTo(whole);
        assertThat(refreshed.size()).isLessThan(1500);
    }

    @Test
    void aBuilderGrowsPastItsFirstArraysWithSha256CommitsAndReadsBackFromItsDelta() {
        CommitGraph.Builder builder = CommitGraph.builder();
        String parent = null;
        for (int i = 0; i < 3000; i++) {
            String sha = String.format("%064x", i + 1);
            builder.add(sha, 1000L * i, parent == null ? List.of() : List.of(parent, String.format("%064x", 1_000_000 + i)));
            parent = sha;
        }

        CommitGraph graph = builder.build();
        CommitGraph.Builder read = CommitGraph.Delta.fromBytes(new CommitGraph.Delta(builder, List.of(parent)).toBytes()).added();

        assertThat(graph.size()).isEqualTo(3000);
        assertThat(graph.sha(0)).isEqualTo(parent);
        assertThat(graph.reachable(0).cardinality()).isEqualTo(3000);
        assertThat(graph.reachable(graph.rankOf(String.format("%064x", 1500))).cardinality()).isEqualTo(1500);
        assertThat(read.size()).isEqualTo(3000);
        assertThat(read.build().toBytes()).isEqualTo(graph.toBytes());
    }

    @Test
    void aDeltaIsStoredInItsFormat() {
        String first = "1".repeat(40);
        String second = "2".repeat(40);
        CommitGraph.Builder added = CommitGraph.builder();
        added.add(first, 1000, List.of());
        added.add(second, 2000, List.of(first, "9".repeat(40))); // a parent outside the delta: the base may have it
        ByteBuffer stored = ByteBuffer.allocate(169);
        stored.putInt(0x43564431).putInt(2).putInt(20).putInt(40);
        stored.put(HexFormat.of().parseHex(first)).put(HexFormat.of().parseHex(second));
        stored.putLong(1000).putLong(2000);
        stored.putInt(0).putInt(0).putInt(2);
        stored.put(HexFormat.of().parseHex(first)).put(HexFormat.of().parseHex("9".repeat(40)));
        stored.putInt(1).put((byte) 40).put(second.getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        assertThat(new CommitGraph.Delta(added, List.of(second)).toBytes()).isEqualTo(stored.array());
        byte[] empty = new CommitGraph.Delta(CommitGraph.builder(), List.of()).toBytes();
        assertThat(empty).isEqualTo(ByteBuffer.allocate(24).putInt(0x43564431).putInt(0).putInt(20).array());
        assertThat(CommitGraph.Delta.fromBytes(empty).added().size()).isZero();
    }

    @Test
    void aDeltaWhoseWidthOrParentOffsetsDoNotFitIsRefused() {
        CommitGraph.Builder added = CommitGraph.builder();
        added.add("1".repeat(40), 1000, List.of());
        added.add("2".repeat(40), 2000, List.of("1".repeat(40), "9".repeat(40)));
        byte[] bytes = new CommitGraph.Delta(added, List.of("2".repeat(40))).toBytes();
        assertThat(CommitGraph.Delta.fromBytes(bytes).added().build().size()).isEqualTo(2);

        // width at 8; parent offsets 0, 0, 2 at 72, 76, 80; the tips' count at 124
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(withInt(bytes, 8, 7))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(withInt(bytes, 80, 3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(withInt(bytes, 76, 5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(withInt(bytes, 4, 1_000_000))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CommitGraph.Delta.fromBytes(withInt(bytes, 124, 1000))).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] withInt(byte[] bytes, int at, int value) {
        byte[] changed = Arrays.copyOf(bytes, bytes.length);
        ByteBuffer.wrap(changed).putInt(at, value);
        return changed;
    }

    /** Issue 25: a short sha's commits are those whose sha starts with its digits, odd or even in number, as a scan finds them. */
    @Test
    void aShortShaFindsExactlyTheCommitsItStarts() {
        List<Fake> commits = history(25, 5000);
        CommitGraph graph = build(commits);
        Random random = new Random(3);
        for (int trial = 0; trial < 400; trial++) {
            String sha = commits.get(random.nextInt(commits.size())).sha();
            int digits = 1 + random.nextInt(trial % 4 == 0 ? 40 : 5);
            String prefix = trial % 7 == 0 ? String.format("%0" + digits + "x", random.nextInt(1 << Math.min(4 * digits, 30)))
                    .substring(0, digits) : sha.substring(0, digits);
            List<String> expected = commits.stream().map(Fake::sha).filter(s -> s.startsWith(prefix)).sorted().toList();

            List<String> found = graph.ranksWithPrefix(prefix, Integer.MAX_VALUE).stream().map(graph::sha).toList();

            assertThat(found).as(prefix).containsExactlyElementsOf(expected);
            assertThat(graph.ranksWithPrefix(prefix, 2)).hasSize(Math.min(2, expected.size()));
        }
        assertThat(graph.ranksWithPrefix("f".repeat(40), 5)).isEmpty();
        assertThat(CommitGraph.builder().build().ranksWithPrefix("abcd", 5)).isEmpty();
        assertThatThrownBy(() -> graph.ranksWithPrefix("ABCD", 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> graph.ranksWithPrefix("", 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> graph.ranksWithPrefix("0".repeat(41), 5)).isInstanceOf(IllegalArgumentException.class);
    }
}

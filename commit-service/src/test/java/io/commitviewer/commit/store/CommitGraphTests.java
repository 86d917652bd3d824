package io.commitviewer.commit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
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
        long[] cut = graph.counts(tips, counts[0] + 10);
        assertThat(cut[0]).isEqualTo(counts[0]);
        assertThat(cut[1]).as("past the budget: not counted").isEqualTo(-1);
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
}

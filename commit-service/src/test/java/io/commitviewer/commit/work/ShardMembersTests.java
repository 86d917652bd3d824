package io.commitviewer.commit.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardMembersTests {

    private static final int SHARDS = 8;

    @Test
    void everyShardHasExactlyOneOwnerOnWhichEveryInstanceAgrees() {
        List<String> live = List.of("commit-service-0-1a2b3c4d", "commit-service-1-5e6f7a8b", "commit-service-2-9c0d1e2f");
        Map<Integer, String> owners = owners(live);
        assertThat(owners).hasSize(SHARDS);
        // the order an instance reads the others in does not matter
        assertThat(owners(List.of(live.get(2), live.get(0), live.get(1)))).isEqualTo(owners);
    }

    @Test
    void aLeavingInstanceMovesOnlyItsOwnShardsAndAJoiningOneTakesOnlyFromOthersWhatItWins() {
        List<String> three = List.of("a-1", "b-2", "c-3");
        Map<Integer, String> before = owners(three);
        Map<Integer, String> after = owners(List.of("a-1", "c-3"));
        for (int shard = 0; shard < SHARDS; shard++) {
            if (!before.get(shard).equals("b-2")) {
                assertThat(after.get(shard)).as("shard %d", shard).isEqualTo(before.get(shard));
            }
        }
        assertThat(after).doesNotContainValue("b-2");
    }

    @Test
    void aLoneInstanceOwnsEveryShardAndManyInstancesShareThemOut() {
        assertThat(ShardMembers.owned("only", List.of("only"), SHARDS)).isEqualTo(Set.copyOf(IntStream.range(0, SHARDS).boxed().toList()));
        // over 1,000 shards, each of 4 instances gets a fair share (rendezvous hashing spreads evenly)
        List<String> four = List.of("w-1", "w-2", "w-3", "w-4");
        for (String instance : four) {
            assertThat(ShardMembers.owned(instance, four, 1_000).size()).isBetween(180, 320);
        }
    }

    private static Map<Integer, String> owners(List<String> live) {
        Map<Integer, String> owners = new HashMap<>();
        for (String instance : live) {
            for (int shard : ShardMembers.owned(instance, live, SHARDS)) {
                assertThat(owners.put(shard, instance)).as("shard %d has one owner", shard).isNull();
            }
        }
        return owners;
    }
}

package io.commitviewer.commit.work;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;

/**
 * The live commit-service instances, each saying it is alive in MongoDB's {@code instances}
 * collection (judged by MongoDB's clock, like the leases), and which shard queues of the project
 * work each one consumes: rendezvous hashing, so that an instance joining or leaving moves only
 * the shards it takes or gives up (ADR 0010, item 7).
 */
final class ShardMembers {

    private final MongoCollection<Document> members;
    private final String instance;
    private final Duration lapse;

    ShardMembers(MongoDatabase database, String instance, Duration lapse) {
        this.members = database.getCollection(io.commitviewer.commit.store.StoreCollections.INSTANCES);
        this.instance = instance;
        this.lapse = lapse;
    }

    String instance() {
        return instance;
    }

    /** Says this instance is alive; returns the live instances, this one included, and forgets long-gone ones. */
    List<String> heartbeat() {
        members.updateOne(Filters.eq("_id", instance), Updates.currentDate("heartbeatAt"), new UpdateOptions().upsert(true));
        members.deleteMany(Filters.expr(silentFor(lapse.multipliedBy(10), "$lt")));
        List<String> live = new ArrayList<>();
        for (Document member : members.find(Filters.expr(silentFor(lapse, "$gt"))).projection(Projections.include("_id"))) {
            live.add(member.getString("_id"));
        }
        if (!live.contains(instance)) {
            live.add(instance);
        }
        return live;
    }

    /** Leaves at once (a stopping instance), so that the others take its shards at their next heartbeat, not after the lapse. */
    void leave() {
        members.deleteOne(Filters.eq("_id", instance));
    }

    /** {@code heartbeatAt} compared ({@code $gt}: later, {@code $lt}: earlier) with MongoDB's now minus {@code age}. */
    private static Document silentFor(Duration age, String comparison) {
        return new Document(comparison, List.of("$heartbeatAt", new Document("$subtract", List.of("$$NOW", age.toMillis()))));
    }

    /** The shards {@code instance} consumes: those for which it has the highest weight of all live instances. */
    static Set<Integer> owned(String instance, Collection<String> live, int shards) {
        Set<Integer> owned = new TreeSet<>();
        for (int shard = 0; shard < shards; shard++) {
            String owner = null;
            long best = 0;
            for (String candidate : live) {
                long weight = weight(candidate, shard);
                // ties (never seen in practice) go to the smaller id, so that every instance picks the same owner
                if (owner == null || Long.compareUnsigned(weight, best) > 0
                        || (weight == best && candidate.compareTo(owner) < 0)) {
                    owner = candidate;
                    best = weight;
                }
            }
            if (instance.equals(owner)) {
                owned.add(shard);
            }
        }
        return owned;
    }

    /** FNV-1a of the instance's id and the shard, mixed by MurmurHash3's finaliser: the same on every instance. */
    static long weight(String instance, int shard) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (instance + "#" + shard).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}

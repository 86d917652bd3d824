package io.commitviewer.commit.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.Date;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's identity (ADR 0006) with several instances starting at once on the stand-in: one
 * instance's epoch, caught between its identity and its second marker, is not taken by another for
 * a store that lost data (the chaos test found it: the second instance wiped the store and began
 * another epoch, and the first one's fetches failed as "the store lost data").
 */
class StoreIdentitiesIT {

    private MongoServer server;
    private MongoClient client;
    private MongoDatabase database;

    @BeforeEach
    void start() {
        server = new MongoServer(new MemoryBackend());
        var address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
        database = client.getDatabase("identities-it");
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    @Test
    void anEpochWhoseSecondMarkerIsNotWrittenYetIsTakenAsItIs() {
        UUID epoch = UUID.randomUUID();
        // what the first instance's begin() has written so far: the identity and the commits' marker
        write(StoreCollections.PROJECTS, new Document("sequence", 0L).append("createdAt", new Date()), epoch);
        write(StoreCollections.COMMITS, new Document("projectId", StoreIdentities.ID), epoch);

        StoreIdentities.Check check = new StoreIdentities(database, new CommitStore(database)).check();

        assertThat(check.lost()).isFalse();
        assertThat(check.identity().epoch()).isEqualTo(epoch);
    }

    @Test
    void aMarkerOfAnotherEpochIsALossEvenWhileTheIdentitySettles() {
        UUID epoch = UUID.randomUUID();
        write(StoreCollections.PROJECTS, new Document("sequence", 0L).append("createdAt", new Date()), epoch);
        write(StoreCollections.BRANCHES, new Document("projectId", StoreIdentities.ID), UUID.randomUUID());

        StoreIdentities.Check check = new StoreIdentities(database, new CommitStore(database)).check();

        assertThat(check.lost()).isTrue();
        assertThat(check.identity().epoch()).isNotEqualTo(epoch);
    }

    /** The store identity's document (or a marker) of {@code epoch} in a collection, with {@code fields}. */
    private void write(String collection, Document fields, UUID epoch) {
        Document document = new Document("_id", StoreIdentities.ID).append("epoch", epoch.toString());
        document.putAll(fields);
        database.getCollection(collection).insertOne(document);
    }

    @Test
    void instancesStartingTogetherOnAnEmptyStoreAgreeOnOneEpoch() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(5);
        try {
            var checks = new java.util.ArrayList<java.util.concurrent.Future<StoreIdentities.Check>>();
            for (int i = 0; i < 5; i++) {
                checks.add(pool.submit(() -> new StoreIdentities(database, new CommitStore(database)).check()));
            }
            java.util.Set<UUID> epochs = new java.util.HashSet<>();
            for (var check : checks) {
                epochs.add(check.get().identity().epoch());
            }
            assertThat(epochs).hasSize(1);
            assertThat(new StoreIdentities(database, new CommitStore(database)).check().lost()).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.commitviewer.commit.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.Optional;
import org.bson.Document;

/**
 * MongoDB's clock, the one every instance reads, so that times written by one instance and
 * compared by another (a fetch's start, a request's arrival) never compare two hosts' clocks
 * (issue 23, finding 7). One small write a call: {@code $currentDate} on one document.
 */
public class StoreClock {


    private final MongoCollection<Document> clock;

    public StoreClock(MongoDatabase database) {
        this.clock = database.getCollection(StoreCollections.CLOCK);
    }

    /** MongoDB's time now; empty if the store does not answer (the caller then assumes nothing of it). */
    public Optional<Instant> now() {
        try {
            Document now = clock.findOneAndUpdate(Filters.eq("_id", "now"), Updates.currentDate("at"),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
            return Optional.ofNullable(now).map(document -> document.getDate("at").toInstant());
        } catch (MongoException e) {
            return Optional.empty();
        }
    }
}

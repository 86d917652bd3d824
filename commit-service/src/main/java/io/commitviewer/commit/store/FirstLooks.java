package io.commitviewer.commit.store;

import static io.commitviewer.commit.store.StoreCollections.WRITER_TOKEN;
import static io.commitviewer.commit.store.StoreCollections.notLaterThan;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * The {@code firstLooks} collection, its one owner: for a project's first fetch, the newest commits
 * of its history in git's order, written by the attempt that took them from a shallow clone before
 * the whole history is in (ADR 0012). One document per attempt (a generation): readers ask for the
 * attempt the project's state names, so a look left by an attempt that was taken back is never
 * read; it goes with the generations it is not.
 */
public final class FirstLooks {

    /** Commits a first look shows at most: a page of the largest size, and the depth of its shallow clone. */
    public static final int COMMITS = 100;

    private static final String PROJECT_ID = "projectId";
    private static final String GENERATION = "generation";
    private static final String SHAS = "shas";
    private static final String AT = "at";

    private final MongoCollection<Document> looks;

    FirstLooks(MongoDatabase database) {
        this.looks = database.getCollection(StoreCollections.FIRST_LOOKS);
    }

    void createIndexes() {
        looks.createIndex(Indexes.ascending(PROJECT_ID), new IndexOptions().name("project"));
    }

    void drop() {
        looks.drop();
    }

    /** What a first look shows: its commits, newest first, and when it was taken. */
    public record FirstLook(List<String> shas, Instant at) {
    }

    /** Writes the first look of attempt {@code generation}: its commits' shas, in git's order. */
    public void write(String projectId, String generation, long token, List<String> shas) {
        looks.replaceOne(Filters.eq("_id", projectId + ":" + generation),
                new Document(PROJECT_ID, projectId).append(GENERATION, generation).append(SHAS, shas)
                        .append(AT, Date.from(Instant.now())).append(WRITER_TOKEN, token),
                new ReplaceOptions().upsert(true));
    }

    /** The first look attempt {@code generation} wrote, if any. */
    public Optional<FirstLook> of(String projectId, String generation) {
        Document found = looks.find(Filters.eq("_id", projectId + ":" + generation)).first();
        return Optional.ofNullable(found).map(document -> new FirstLook(document.getList(SHAS, String.class),
                document.getDate(AT).toInstant()));
    }

    /** Drops the project's first looks but {@code keep}'s, but those a later writer than {@code token}'s wrote. */
    void deleteBut(String projectId, String keep, long token) {
        looks.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.ne(GENERATION, keep), notLaterThan(token)));
    }

    /** Drops the project's first looks, but those a later writer than {@code token}'s wrote. */
    void deleteAll(String projectId, long token) {
        looks.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), notLaterThan(token)));
    }
}

package io.commitviewer.commit.store;

import static io.commitviewer.commit.store.StoreCollections.WRITER_TOKEN;
import static io.commitviewer.commit.store.StoreCollections.notLaterThan;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import io.commitviewer.common.git.Branch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * One kind of a project's refs — the {@code branches} collection, or the {@code tags} one (tags
 * peeled to their commits) — and its one owner: one set per generation (the attempt of a fetch
 * that wrote them). Readers ask for the served generation, so they never see a set half written or
 * none; the fetch's state switches generations (ADR 0007).
 */
public final class Refs {

    private static final String PROJECT_ID = "projectId";
    private static final String GENERATION = "generation";
    private static final String NAME = "name";
    private static final String TIP = "tip";
    private static final String COMMIT_COUNT = "commitCount";

    private final MongoCollection<Document> refs;

    /** The refs kept in {@code collection}: {@link StoreCollections#BRANCHES} or {@link StoreCollections#TAGS}. */
    Refs(MongoDatabase database, String collection) {
        this.refs = database.getCollection(collection);
    }

    void createIndexes() {
        refs.createIndex(Indexes.compoundIndex(Indexes.ascending(PROJECT_ID), Indexes.ascending(GENERATION),
                Indexes.ascending(NAME)), new IndexOptions().name("project_generation_name"));
    }

    void drop() {
        refs.drop();
    }

    /**
     * Writes a project's refs as generation {@code generation}, beside the generation being
     * served. {@code commitCounts[i]} is ref i's count, or negative if it was not counted.
     */
    public void write(String projectId, String generation, long token, List<Branch> current, long[] commitCounts) {
        if (current.isEmpty()) {
            return;
        }
        List<Document> documents = new ArrayList<>(current.size());
        for (int i = 0; i < current.size(); i++) {
            Branch ref = current.get(i);
            Document document = new Document("_id", projectId + ":" + generation + ":" + ref.name()).append(PROJECT_ID, projectId)
                    .append(GENERATION, generation).append(NAME, ref.name()).append(TIP, ref.tip()).append(WRITER_TOKEN, token);
            if (commitCounts[i] >= 0) {
                document.append(COMMIT_COUNT, commitCounts[i]);
            }
            documents.add(document);
        }
        Commits.insertUnordered(refs, documents);
    }

    /** One ref of a generation, by its exact name. */
    public Optional<StoredRef> named(String projectId, String generation, String name) {
        return Optional.ofNullable(refs.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation),
                Filters.eq(NAME, name))).first()).map(Refs::toRef);
    }

    /** The refs of one generation ({@code null}: branches written before generations), by name. */
    public List<StoredRef> generation(String projectId, String generation) {
        List<StoredRef> found = new ArrayList<>();
        refs.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation)))
                .sort(Sorts.ascending(NAME)).forEach(document -> found.add(toRef(document)));
        return found;
    }

    /** Drops every generation of the project's refs but {@code keep}, but those a later writer than {@code token}'s wrote. */
    void deleteBut(String projectId, String keep, long token) {
        refs.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.ne(GENERATION, keep), notLaterThan(token)));
    }

    /** Drops the project's refs, but those a later writer than {@code token}'s wrote. */
    void deleteAll(String projectId, long token) {
        refs.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), notLaterThan(token)));
    }

    private static StoredRef toRef(Document document) {
        Number count = document.get(COMMIT_COUNT, Number.class);
        return new StoredRef(document.getString(NAME), document.getString(TIP), count == null ? null : count.longValue());
    }
}

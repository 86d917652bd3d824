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
 * The {@code branches} collection, its one owner: each project's branches, one set per
 * generation (the attempt of a fetch that wrote them). Readers ask for the served generation, so
 * they never see a set half written or none; the fetch's state switches generations (ADR 0007).
 */
public final class Branches {

    private static final String PROJECT_ID = "projectId";
    private static final String GENERATION = "generation";
    private static final String NAME = "name";
    private static final String TIP = "tip";
    private static final String COMMIT_COUNT = "commitCount";

    private final MongoCollection<Document> branches;

    public Branches(MongoDatabase database) {
        this.branches = database.getCollection(StoreCollections.BRANCHES);
    }

    void createIndexes() {
        branches.createIndex(Indexes.compoundIndex(Indexes.ascending(PROJECT_ID), Indexes.ascending(GENERATION),
                Indexes.ascending(NAME)), new IndexOptions().name("project_generation_name"));
    }

    void drop() {
        branches.drop();
    }

    /**
     * Writes a project's branches as generation {@code generation}, beside the generation being
     * served. {@code commitCounts[i]} is branch i's count, or negative if it was not counted.
     */
    public void write(String projectId, String generation, long token, List<Branch> current, long[] commitCounts) {
        if (current.isEmpty()) {
            return;
        }
        List<Document> documents = new ArrayList<>(current.size());
        for (int i = 0; i < current.size(); i++) {
            Branch branch = current.get(i);
            Document document = new Document("_id", projectId + ":" + generation + ":" + branch.name()).append(PROJECT_ID, projectId)
                    .append(GENERATION, generation).append(NAME, branch.name()).append(TIP, branch.tip()).append(WRITER_TOKEN, token);
            if (commitCounts[i] >= 0) {
                document.append(COMMIT_COUNT, commitCounts[i]);
            }
            documents.add(document);
        }
        Commits.insertUnordered(branches, documents);
    }

    /** One branch of a generation, by its exact name. */
    public Optional<StoredBranch> branch(String projectId, String generation, String name) {
        return Optional.ofNullable(branches.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation),
                Filters.eq(NAME, name))).first()).map(Branches::toBranch);
    }

    /** The branches of one generation ({@code null}: those written before generations), by name. */
    public List<StoredBranch> generation(String projectId, String generation) {
        List<StoredBranch> found = new ArrayList<>();
        branches.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation)))
                .sort(Sorts.ascending(NAME)).forEach(document -> found.add(toBranch(document)));
        return found;
    }

    /** Drops every generation of the project's branches but {@code keep}, but those a later writer than {@code token}'s wrote. */
    void deleteBut(String projectId, String keep, long token) {
        branches.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.ne(GENERATION, keep), notLaterThan(token)));
    }

    /** Drops the project's branches, but those a later writer than {@code token}'s wrote. */
    void deleteAll(String projectId, long token) {
        branches.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), notLaterThan(token)));
    }

    private static StoredBranch toBranch(Document document) {
        Number count = document.get(COMMIT_COUNT, Number.class);
        return new StoredBranch(document.getString(NAME), document.getString(TIP), count == null ? null : count.longValue());
    }
}

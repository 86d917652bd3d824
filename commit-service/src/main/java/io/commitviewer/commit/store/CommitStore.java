package io.commitviewer.commit.store;

import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;

/**
 * The commit store as a whole: commits, branches, tags and graph chunks, each behind the one small
 * store that owns its collection ({@link Commits}, {@link Refs}, {@link GraphChunks}), and
 * what spans them — their indexes, dropping a project's generations but the served one, dropping
 * a deleted project, and the reset of a store that lost data. A project's state is
 * {@code project.ProjectStates}'.
 */
public class CommitStore {

    private final Commits commits;
    private final Refs branches;
    private final Refs tags;
    private final GraphChunks graphs;
    private final FirstLooks firstLooks;

    public CommitStore(MongoDatabase database) {
        this.commits = new Commits(database);
        this.branches = new Refs(database, StoreCollections.BRANCHES);
        this.tags = new Refs(database, StoreCollections.TAGS);
        this.graphs = new GraphChunks(database);
        this.firstLooks = new FirstLooks(database);
    }

    public Commits commits() {
        return commits;
    }

    public Refs branches() {
        return branches;
    }

    /** The tags on commits, peeled. */
    public Refs tags() {
        return tags;
    }

    public GraphChunks graphs() {
        return graphs;
    }

    /** The newest commits of first fetches, while they run (ADR 0012). */
    public FirstLooks firstLooks() {
        return firstLooks;
    }

    /** Every index the collections need; idempotent, run at start-up. */
    public void createIndexes() {
        commits.createIndexes();
        branches.createIndexes();
        tags.createIndexes();
        graphs.createIndexes();
        firstLooks.createIndexes();
    }

    /**
     * Drops every generation of the project's branches and tags but {@code keep}, and its graphs but those
     * {@code keep}'s builds on; not those a later writer than {@code token}'s wrote.
     */
    public void deleteGenerationsBut(String projectId, String keep, long token) {
        branches.deleteBut(projectId, keep, token);
        tags.deleteBut(projectId, keep, token);
        firstLooks.deleteBut(projectId, keep, token);
        List<String> kept = new ArrayList<>();
        kept.add(keep);
        graphs.header(projectId, keep).ifPresent(graph -> kept.addAll(graph.chain())); // the graphs it builds on
        graphs.deleteBut(projectId, kept, token);
    }

    /** Drops the project's commits, branches, tags and graphs (it was deleted), but what a later writer than {@code token}'s wrote. */
    public void deleteProject(String projectId, long token) {
        commits.deleteAll(projectId, token);
        branches.deleteAll(projectId, token);
        tags.deleteAll(projectId, token);
        firstLooks.deleteAll(projectId, token);
        graphs.deleteAll(projectId, token);
    }

    /** Drops every commit, branch, tag and graph, and makes the indexes again: the reset of a store that lost data (ADR 0006). */
    void dropAll() {
        commits.drop();
        branches.drop();
        tags.drop();
        firstLooks.drop();
        graphs.drop();
        createIndexes();
    }
}

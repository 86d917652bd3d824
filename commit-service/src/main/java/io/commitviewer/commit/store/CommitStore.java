package io.commitviewer.commit.store;

import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;

/**
 * The commit store as a whole: commits, branches and graph chunks, each behind the one small
 * store that owns its collection ({@link Commits}, {@link Branches}, {@link GraphChunks}), and
 * what spans them — their indexes, dropping a project's generations but the served one, dropping
 * a deleted project, and the reset of a store that lost data. A project's state is
 * {@code project.ProjectStates}'.
 */
public class CommitStore {

    private final Commits commits;
    private final Branches branches;
    private final GraphChunks graphs;

    public CommitStore(MongoDatabase database) {
        this.commits = new Commits(database);
        this.branches = new Branches(database);
        this.graphs = new GraphChunks(database);
    }

    public Commits commits() {
        return commits;
    }

    public Branches branches() {
        return branches;
    }

    public GraphChunks graphs() {
        return graphs;
    }

    /** Every index the collections need; idempotent, run at start-up. */
    public void createIndexes() {
        commits.createIndexes();
        branches.createIndexes();
        graphs.createIndexes();
    }

    /**
     * Drops every generation of the project's branches but {@code keep}, and its graphs but those
     * {@code keep}'s builds on; not those a later writer than {@code token}'s wrote.
     */
    public void deleteGenerationsBut(String projectId, String keep, long token) {
        branches.deleteBut(projectId, keep, token);
        List<String> kept = new ArrayList<>();
        kept.add(keep);
        graphs.header(projectId, keep).ifPresent(graph -> kept.addAll(graph.chain())); // the graphs it builds on
        graphs.deleteBut(projectId, kept, token);
    }

    /** Drops the project's commits, branches and graphs (it was deleted), but what a later writer than {@code token}'s wrote. */
    public void deleteProject(String projectId, long token) {
        commits.deleteAll(projectId, token);
        branches.deleteAll(projectId, token);
        graphs.deleteAll(projectId, token);
    }

    /** Drops every commit, branch and graph, and makes the indexes again: the reset of a store that lost data (ADR 0006). */
    void dropAll() {
        commits.drop();
        branches.drop();
        graphs.drop();
        createIndexes();
    }
}

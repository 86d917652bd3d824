package io.commitviewer.commit.store;

/**
 * Every collection of the commit service's database, and the one class that writes it. Each
 * owner keeps its documents' field names to itself; {@link StoreIdentities} also keeps one marker
 * document in {@code commits}, {@code branches} and {@code projects} (ADR 0006), which their
 * owners' queries never match (they all filter by project).
 */
public final class StoreCollections {

    /** The commits of every project ({@link Commits}). */
    public static final String COMMITS = "commits";
    /** Each project's branches, one set per generation ({@link Refs}). */
    public static final String BRANCHES = "branches";
    /** Each project's tags on commits, peeled, one set per generation ({@link Refs}). */
    public static final String TAGS = "tags";
    /** The newest commits of a project's first fetch, shown while it runs, one per attempt ({@link FirstLooks}). */
    public static final String FIRST_LOOKS = "firstLooks";
    /** Each generation's commit graph, in chunks ({@link GraphChunks}). */
    public static final String GRAPHS = "graphs";
    /** Each project's fetch state ({@code project.ProjectStates}), and the store's identity ({@link StoreIdentities}). */
    public static final String PROJECTS = "projects";
    /** Tombstones of deleted projects ({@code project.ProjectStates}). */
    public static final String DELETED_PROJECTS = "deletedProjects";
    /** Each project's writer lease ({@code project.ProjectLeases}). */
    public static final String LEASES = "leases";
    /** The fencing-token counter ({@code project.ProjectLeases}). */
    public static final String COUNTERS = "counters";
    /** The live commit-service instances, for the shards ({@code work.ShardMembers}). */
    public static final String INSTANCES = "instances";
    /** One document whose write time is the store's clock ({@link StoreClock}). */
    public static final String CLOCK = "clock";

    /**
     * The fencing token of the lease its writer held (ADR 0010), on every commit, branch, tag and graph
     * document written under a lease: a writer deletes only documents with a token no higher than
     * its own, so that one whose lease lapsed cannot remove what a later writer wrote or adopted.
     */
    public static final String WRITER_TOKEN = "writerToken";

    private StoreCollections() {
    }

    /** Documents written by no later writer than the one holding {@code token} (or before leases). */
    static org.bson.conversions.Bson notLaterThan(long token) {
        return com.mongodb.client.model.Filters.not(com.mongodb.client.model.Filters.gt(WRITER_TOKEN, token));
    }
}

package io.commitviewer.commit.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.commitviewer.common.git.Branch;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.Signature;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Commits and branches in MongoDB (a project's state is {@code project.ProjectStates}'). Commits are immutable and keyed by
 * {@code {projectId}:{sha}}: written with unordered bulk inserts whose duplicate-key errors are
 * ignored (a redelivered fetch rewrites nothing), read by keyset on
 * {@code {projectId, committedAt desc, _id desc}}.
 */
public class CommitStore {

    public static final String COMMITS = "commits";
    public static final String BRANCHES = "branches";
    public static final String PROJECTS = "projects";
    public static final String DELETED_PROJECTS = "deletedProjects";
    public static final String GRAPHS = "graphs";
    /** A stored graph is cut into documents of at most this many bytes (MongoDB's limit is 16 MiB a document). */
    static final int GRAPH_CHUNK_BYTES = 4 << 20;
    private static final int DUPLICATE_KEY = 11000;
    private static final String GENERATION = "generation";
    /**
     * The fencing token of the lease its writer held (ADR 0010), on every commit, branch and graph
     * document written under a lease: a writer deletes only documents with a token no higher than
     * its own, so that one whose lease lapsed cannot remove what a later writer wrote or adopted.
     */
    public static final String WRITER_TOKEN = "writerToken";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final MongoCollection<Document> commits;
    private final MongoCollection<Document> branches;
    private final MongoCollection<Document> projects;
    private final MongoCollection<Document> graphs;

    public CommitStore(MongoDatabase database) {
        this.commits = database.getCollection(COMMITS);
        this.branches = database.getCollection(BRANCHES);
        this.projects = database.getCollection(PROJECTS);
        this.graphs = database.getCollection(GRAPHS);
    }

    /**
     * Indexes the pages and every offered filter need, each ending in the listing's order
     * (committedAt, _id descending), so a filtered page is an index range, and an author filter
     * (email or name) a merge of two; idempotent, run at start-up.
     */
    public void createIndexes() {
        commits.createIndex(Indexes.compoundIndex(Indexes.ascending("projectId"), Indexes.descending("committedAt"),
                Indexes.descending("_id")), new IndexOptions().name("project_committedAt_id"));
        for (String field : List.of("email", "name")) {
            String capitalised = Character.toUpperCase(field.charAt(0)) + field.substring(1);
            commits.createIndex(Indexes.compoundIndex(Indexes.ascending("projectId"), Indexes.ascending("author." + field),
                    Indexes.descending("committedAt"), Indexes.descending("_id")),
                    new IndexOptions().name("project_author" + capitalised + "_committedAt_id"));
        }
        dropIndexIfPresent(commits, "project_authorEmail_committedAt"); // replaced by the one ending in _id
        branches.createIndex(Indexes.compoundIndex(Indexes.ascending("projectId"), Indexes.ascending(GENERATION),
                Indexes.ascending("name")), new IndexOptions().name("project_generation_name"));
        graphs.createIndex(Indexes.compoundIndex(Indexes.ascending("projectId"), Indexes.ascending(GENERATION),
                Indexes.ascending("chunk")), new IndexOptions().name("project_generation_chunk"));
    }

    /** The names of a collection's indexes (for tests and the store's own checks). */
    public List<String> commitIndexNames() {
        return commits.listIndexes().map(index -> index.getString("name")).into(new ArrayList<>());
    }

    private static void dropIndexIfPresent(MongoCollection<Document> collection, String name) {
        boolean present = collection.listIndexes().map(index -> index.getString("name")).into(new ArrayList<>()).contains(name);
        if (present) {
            collection.dropIndex(name);
        }
    }

    public static String id(String projectId, String sha) {
        return projectId + ":" + sha;
    }

    public static Document toDocument(String projectId, GitCommit commit) {
        return toDocument(projectId, null, 0, commit);
    }

    /**
     * @param attempt the ingestion attempt that inserts the commit, kept so that a failed attempt can take back what it added
     * @param token   its lease's fencing token (0: written without a lease)
     */
    public static Document toDocument(String projectId, String attempt, long token, GitCommit commit) {
        Document document = new Document("_id", id(projectId, commit.sha()))
                .append("projectId", projectId)
                .append("sha", commit.sha())
                .append("parents", commit.parents())
                .append("author", signature(commit.author()))
                .append("committer", signature(commit.committer()))
                .append("committedAt", Date.from(commit.committer().date().toInstant()))
                .append("message", commit.message());
        if (commit.messageTruncated()) {
            document.append("messageTruncated", true);
        }
        if (!commit.truncated().isEmpty()) {
            document.append("truncated", List.copyOf(commit.truncated()));
        }
        if (!commit.clamped().isEmpty()) {
            document.append("clamped", List.copyOf(commit.clamped()));
        }
        if (attempt != null) {
            document.append("insertedBy", attempt);
        }
        if (token > 0) {
            document.append(WRITER_TOKEN, token);
        }
        return document;
    }

    private static Document signature(Signature signature) {
        return new Document("name", signature.name()).append("email", signature.email())
                .append("date", ISO.format(signature.date()));
    }

    /** Inserts what is not there yet; returns how many were new. */
    public long insert(List<Document> batch) {
        return batch.size() - insert(commits, batch).size();
    }

    /**
     * Inserts commits written by {@code attempt} under the lease {@code token}; a commit already
     * stored that {@code adopt} accepts (one no served generation names: left by an attempt that
     * never reached its commit point) and that carries no later token is made the attempt's, so that
     * the writer that left it, taking back what it wrote, cannot remove it; one that vanished
     * meanwhile (taken back by that writer) is inserted again (ADR 0010). Returns how many were new.
     */
    public long insert(List<Document> batch, String attempt, long token, java.util.function.Predicate<String> adopt) {
        List<Document> pending = batch;
        long inserted = 0;
        for (int round = 0; !pending.isEmpty(); round++) {
            List<Integer> duplicates = insert(commits, pending);
            inserted += pending.size() - duplicates.size();
            java.util.Set<String> adoptable = new java.util.LinkedHashSet<>();
            for (int index : duplicates) {
                if (adopt.test(pending.get(index).getString("sha"))) {
                    adoptable.add(pending.get(index).getString("_id"));
                }
            }
            if (adoptable.isEmpty()) {
                break;
            }
            if (round == 3) {
                throw new IllegalStateException("commits taken back and inserted again three times: another writer keeps writing");
            }
            commits.updateMany(Filters.and(Filters.in("_id", adoptable), Filters.not(Filters.gt(WRITER_TOKEN, token))),
                    Updates.combine(Updates.set("insertedBy", attempt), Updates.set(WRITER_TOKEN, token)));
            java.util.Set<String> present = new java.util.HashSet<>();
            commits.find(Filters.in("_id", adoptable)).projection(new Document("_id", 1))
                    .forEach(document -> present.add(document.getString("_id")));
            List<Document> vanished = new ArrayList<>();
            for (int index : duplicates) {
                Document document = pending.get(index);
                if (adoptable.contains(document.getString("_id")) && !present.contains(document.getString("_id"))) {
                    vanished.add(document);
                }
            }
            pending = vanished;
        }
        return inserted;
    }

    /** Inserts unordered; returns the positions in {@code batch} of the documents already there (duplicate keys). */
    private static List<Integer> insert(MongoCollection<Document> collection, List<Document> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        try {
            collection.insertMany(batch, new InsertManyOptions().ordered(false));
            return List.of();
        } catch (MongoBulkWriteException e) {
            if (e.getWriteConcernError() != null) {
                throw e; // not durably written: the request must not be acked
            }
            List<Integer> duplicates = new ArrayList<>(e.getWriteErrors().size());
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY && ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                duplicates.add(error.getIndex());
            }
            return duplicates;
        }
    }

    /** Deletes these commits of the project, but those a later writer than {@code token}'s wrote or adopted. */
    public long delete(String projectId, Collection<String> shas, long token) {
        if (shas.isEmpty()) {
            return 0;
        }
        List<String> ids = new ArrayList<>(shas.size());
        shas.forEach(sha -> ids.add(id(projectId, sha)));
        return commits.deleteMany(Filters.and(Filters.in("_id", ids), notLaterThan(token))).getDeletedCount();
    }

    /** Documents written by no later writer than the one holding {@code token} (or before leases). */
    private static Bson notLaterThan(long token) {
        return Filters.not(Filters.gt(WRITER_TOKEN, token));
    }

    /** Streams the shas stored for the project. */
    public void forEachSha(String projectId, java.util.function.Consumer<String> sink) {
        commits.find(Filters.eq("projectId", projectId)).projection(new Document("sha", 1)).batchSize(10_000)
                .forEach(document -> sink.accept(document.getString("sha")));
    }

    public long count(Bson filter) {
        return commits.countDocuments(filter);
    }

    public List<Document> find(Bson filter, int limit) {
        return commits.find(filter).sort(Sorts.descending("committedAt", "_id")).limit(limit).into(new ArrayList<>());
    }

    public List<Document> findSkipping(Bson filter, int skip, int limit) {
        return commits.find(filter).sort(Sorts.descending("committedAt", "_id")).skip(skip).limit(limit).into(new ArrayList<>());
    }

    public Optional<Document> commit(String projectId, String sha) {
        return Optional.ofNullable(commits.find(Filters.eq("_id", id(projectId, sha))).first());
    }

    /**
     * Writes a project's branches as generation {@code generation} (the attempt of a fetch),
     * beside the generation being served: readers ask for the served one, so they never see a
     * set half written or none; the fetch's state switches generations (ADR 0007).
     */
    public void writeBranches(String projectId, String generation, long token, List<Branch> current, long[] commitCounts) {
        if (current.isEmpty()) {
            return;
        }
        List<Document> documents = new ArrayList<>(current.size());
        for (int i = 0; i < current.size(); i++) {
            Branch branch = current.get(i);
            Document document = new Document("_id", projectId + ":" + generation + ":" + branch.name()).append("projectId", projectId)
                    .append(GENERATION, generation).append("name", branch.name()).append("tip", branch.tip())
                    .append(WRITER_TOKEN, token);
            if (commitCounts[i] >= 0) {
                document.append("commitCount", commitCounts[i]);
            }
            documents.add(document);
        }
        insert(branches, documents);
    }

    /** One branch of a generation, by its exact name. */
    public Optional<Document> branch(String projectId, String generation, String name) {
        return Optional.ofNullable(branches.find(Filters.and(Filters.eq("projectId", projectId), Filters.eq(GENERATION, generation),
                Filters.eq("name", name))).first());
    }

    /**
     * A generation's stored graph: the whole graph ({@code base} null), or the delta of a refresh
     * over the generation {@code base}; {@code chain} lists every generation it builds on, nearest
     * last, and {@code deltaBytes} the size of their deltas and its own.
     */
    public record StoredGraph(String base, List<String> chain, long deltaBytes, byte[] payload) {
    }

    /**
     * Writes the graph of a generation's commits beside its branches (same generation, same
     * fate: served, then dropped with them, except while a later generation builds on it).
     * Rewriting a generation's graph replaces it.
     */
    public void writeGraph(String projectId, String generation, long token, StoredGraph graph) {
        byte[] bytes = graph.payload();
        int chunks = Math.max(1, (bytes.length + GRAPH_CHUNK_BYTES - 1) / GRAPH_CHUNK_BYTES);
        graphs.deleteMany(Filters.and(Filters.eq("projectId", projectId), Filters.eq(GENERATION, generation)));
        for (int chunk = 0; chunk < chunks; chunk++) {
            int from = chunk * GRAPH_CHUNK_BYTES;
            byte[] part = java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + GRAPH_CHUNK_BYTES));
            // one at a time: a batch of 4 MiB chunks would exceed a message's size
            graphs.insertOne(new Document("_id", projectId + ":" + generation + ":" + chunk).append("projectId", projectId)
                    .append(GENERATION, generation).append("chunk", chunk).append("chunks", chunks).append("base", graph.base())
                    .append("chain", graph.chain()).append("deltaBytes", graph.deltaBytes()).append(WRITER_TOKEN, token)
                    .append("data", new org.bson.types.Binary(part)));
        }
    }

    /** A generation's stored graph without its payload (empty): what builds on what, without reading megabytes. */
    public Optional<StoredGraph> graphHeader(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        Document head = graphs.find(Filters.and(Filters.eq("projectId", projectId), Filters.eq(GENERATION, generation),
                Filters.eq("chunk", 0))).projection(new Document("base", 1).append("chain", 1).append("deltaBytes", 1)).first();
        if (head == null) {
            return Optional.empty();
        }
        Number deltaBytes = head.get("deltaBytes", Number.class);
        return Optional.of(new StoredGraph(head.getString("base"), head.getList("chain", String.class, List.of()),
                deltaBytes == null ? 0 : deltaBytes.longValue(), new byte[0]));
    }

    /** A generation's graph as stored; empty when there is none whole (written before graphs, or cut short). */
    public Optional<StoredGraph> graph(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        List<Document> documents = graphs.find(Filters.and(Filters.eq("projectId", projectId), Filters.eq(GENERATION, generation)))
                .sort(Sorts.ascending("chunk")).into(new ArrayList<>());
        if (documents.isEmpty() || documents.get(0).getInteger("chunks") != documents.size()) {
            return Optional.empty();
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int chunk = 0; chunk < documents.size(); chunk++) {
            Document document = documents.get(chunk);
            if (document.getInteger("chunk") != chunk) {
                return Optional.empty();
            }
            bytes.writeBytes(document.get("data", org.bson.types.Binary.class).getData());
        }
        Document head = documents.get(0);
        Number deltaBytes = head.get("deltaBytes", Number.class);
        return Optional.of(new StoredGraph(head.getString("base"), head.getList("chain", String.class, List.of()),
                deltaBytes == null ? 0 : deltaBytes.longValue(), bytes.toByteArray()));
    }

    /**
     * Rebuilds the graph of what the store holds for a project from its commits (their shas,
     * dates and parents): for a generation written before graphs. One scan of the project's commits.
     */
    public CommitGraph graphFromCommits(String projectId) {
        CommitGraph.Builder builder = CommitGraph.builder();
        commits.find(Filters.eq("projectId", projectId)).projection(new Document("sha", 1).append("parents", 1).append("committedAt", 1))
                .batchSize(10_000).forEach(document -> builder.add(document.getString("sha"), document.getDate("committedAt").getTime(),
                        document.getList("parents", String.class, List.of())));
        return builder.build();
    }

    /** The commits of the project with these shas, in no particular order. */
    public List<Document> commits(String projectId, List<String> shas) {
        if (shas.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(shas.size());
        shas.forEach(sha -> ids.add(id(projectId, sha)));
        return commits.find(Filters.in("_id", ids)).into(new ArrayList<>());
    }

    /** Streams the shas of the project's commits that match {@code filter}. */
    public void forEachSha(Bson filter, java.util.function.Consumer<String> sink) {
        commits.find(filter).projection(new Document("sha", 1)).batchSize(10_000).forEach(document -> sink.accept(document.getString("sha")));
    }

    /** The branches of one generation ({@code null}: those written before generations), by name. */
    public List<Document> branches(String projectId, String generation) {
        return branches.find(Filters.and(Filters.eq("projectId", projectId), Filters.eq(GENERATION, generation)))
                .sort(Sorts.ascending("name")).into(new ArrayList<>());
    }

    /**
     * Drops every generation of the project's branches but {@code keep}, and its graphs but those
     * {@code keep}'s builds on; not those a later writer than {@code token}'s wrote.
     */
    public void deleteBranchesBut(String projectId, String keep, long token) {
        branches.deleteMany(Filters.and(Filters.eq("projectId", projectId), Filters.ne(GENERATION, keep), notLaterThan(token)));
        List<String> kept = new ArrayList<>();
        kept.add(keep);
        graphHeader(projectId, keep).ifPresent(graph -> kept.addAll(graph.chain())); // the graphs it builds on
        graphs.deleteMany(Filters.and(Filters.eq("projectId", projectId), Filters.nin(GENERATION, kept), notLaterThan(token)));
    }

    /** Drops the project's commits (a first fetch that failed part-way), but those a later writer wrote. */
    public void deleteCommits(String projectId, long token) {
        commits.deleteMany(Filters.and(Filters.eq("projectId", projectId), notLaterThan(token)));
    }

    /**
     * Drops the project's commits that {@code keep} does not accept (by sha), but those a later
     * writer wrote: what writers that never reached their commit point left (ADR 0010). One scan.
     */
    public long sweep(String projectId, java.util.function.Predicate<String> keep, long token) {
        List<String> stray = new ArrayList<>();
        forEachSha(projectId, sha -> {
            if (!keep.test(sha)) {
                stray.add(sha);
            }
        });
        long removed = 0;
        for (int from = 0; from < stray.size(); from += 1000) {
            removed += delete(projectId, stray.subList(from, Math.min(stray.size(), from + 1000)), token);
        }
        return removed;
    }

    /**
     * Removes the commits that one ingestion attempt inserted, and only those: commits it found
     * already stored keep the id of the attempt that inserted them (inserts never overwrite), and
     * those a later writer than {@code token}'s adopted carry that writer's id and token.
     */
    public long deleteInsertedBy(String projectId, String attempt, long token) {
        return commits.deleteMany(Filters.and(Filters.eq("projectId", projectId), Filters.eq("insertedBy", attempt),
                notLaterThan(token))).getDeletedCount();
    }

    /**
     * Drops the project's commits, branches and graphs (it was deleted), but what a later writer
     * than {@code token}'s wrote.
     */
    public void deleteCommitsAndBranches(String projectId, long token) {
        commits.deleteMany(Filters.and(Filters.eq("projectId", projectId), notLaterThan(token)));
        branches.deleteMany(Filters.and(Filters.eq("projectId", projectId), notLaterThan(token)));
        graphs.deleteMany(Filters.and(Filters.eq("projectId", projectId), notLaterThan(token)));
    }

    /** True if the store holds any project state (besides the documents named {@code except}). */
    boolean holdsProjects(String except) {
        return projects.find(Filters.ne("_id", except)).first() != null;
    }

    /**
     * Drops every commit, branch and project state, keeping the document {@code keep} of the
     * projects collection (the store's identity) and the tombstones of deleted projects: what is
     * left of a store that lost part of its data (ADR 0006).
     */
    void dropEverythingBut(String keep) {
        commits.drop();
        branches.drop();
        graphs.drop();
        projects.deleteMany(Filters.ne("_id", keep));
        createIndexes();
    }

}

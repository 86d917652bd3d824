package io.commitviewer.commit.store;

import static io.commitviewer.commit.store.StoreCollections.WRITER_TOKEN;
import static io.commitviewer.commit.store.StoreCollections.notLaterThan;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.IsoDates;
import io.commitviewer.common.git.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The {@code commits} collection, its one owner. Commits are immutable and keyed by
 * {@code {projectId}:{sha}}: written with unordered bulk inserts whose duplicate-key errors are
 * ignored (a redelivered fetch rewrites nothing), read by keyset on
 * {@code {projectId, committedAt desc, _id desc}}. Every delete is fenced: it spares what a later
 * writer wrote or adopted (ADR 0010).
 */
public final class Commits {

    private static final String ID = "_id";
    private static final String PROJECT_ID = "projectId";
    private static final String SHA = "sha";
    private static final String PARENTS = "parents";
    private static final String AUTHOR = "author";
    private static final String COMMITTER = "committer";
    private static final String NAME = "name";
    private static final String EMAIL = "email";
    private static final String DATE = "date";
    private static final String COMMITTED_AT = "committedAt";
    private static final String MESSAGE = "message";
    private static final String MESSAGE_TRUNCATED = "messageTruncated";
    private static final String TRUNCATED = "truncated";
    private static final String CLAMPED = "clamped";
    /** The ingestion attempt that inserted the commit: a failed attempt takes back what it added. */
    private static final String INSERTED_BY = "insertedBy";
    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> commits;

    public Commits(MongoDatabase database) {
        this.commits = database.getCollection(StoreCollections.COMMITS);
    }

    /** A commit's people as stored: what a search by author or committer reads ({@code commits.People}). */
    public record Identities(String sha, String authorName, String authorEmail, String committerName, String committerEmail) {
    }

    /**
     * The index every read of a project needs, {@code {projectId, committedAt desc, _id desc}}
     * (the listing's order); idempotent, run at start-up. The author indexes of the versions before
     * the searches (issue 25) are dropped where found: every listing reads through the project's
     * commit graph, and a search by a part of a name matches no index prefix (ADR 0011).
     */
    void createIndexes() {
        commits.createIndex(Indexes.compoundIndex(Indexes.ascending(PROJECT_ID), Indexes.descending(COMMITTED_AT),
                Indexes.descending(ID)), new IndexOptions().name("project_committedAt_id"));
        for (String retired : List.of("project_authorEmail_committedAt", "project_authorEmail_committedAt_id",
                "project_authorName_committedAt_id")) {
            if (indexNames().contains(retired)) {
                commits.dropIndex(retired);
            }
        }
    }

    /** The names of the collection's indexes (for tests and the store's own checks). */
    public List<String> indexNames() {
        return commits.listIndexes().map(index -> index.getString("name")).into(new ArrayList<>());
    }

    void drop() {
        commits.drop();
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
        Document document = new Document(ID, id(projectId, commit.sha()))
                .append(PROJECT_ID, projectId)
                .append(SHA, commit.sha())
                .append(PARENTS, commit.parents())
                .append(AUTHOR, signature(commit.author()))
                .append(COMMITTER, signature(commit.committer()))
                .append(COMMITTED_AT, Date.from(commit.committer().date().toInstant()))
                .append(MESSAGE, commit.message());
        if (commit.messageTruncated()) {
            document.append(MESSAGE_TRUNCATED, true);
        }
        if (!commit.truncated().isEmpty()) {
            document.append(TRUNCATED, List.copyOf(commit.truncated()));
        }
        if (!commit.clamped().isEmpty()) {
            document.append(CLAMPED, List.copyOf(commit.clamped()));
        }
        if (attempt != null) {
            document.append(INSERTED_BY, attempt);
        }
        if (token > 0) {
            document.append(WRITER_TOKEN, token);
        }
        return document;
    }

    private static Document signature(Signature signature) {
        return new Document(NAME, signature.name()).append(EMAIL, signature.email()).append(DATE, IsoDates.format(signature.date()));
    }

    private static StoredCommit toCommit(Document document) {
        return new StoredCommit(document.getString(ID), document.getString(SHA), document.getList(PARENTS, String.class, List.of()),
                person(document.get(AUTHOR, Document.class)), person(document.get(COMMITTER, Document.class)),
                document.getDate(COMMITTED_AT).toInstant(), document.getString(MESSAGE),
                Boolean.TRUE.equals(document.getBoolean(MESSAGE_TRUNCATED)), document.getList(TRUNCATED, String.class, List.of()),
                document.getList(CLAMPED, String.class, List.of()));
    }

    private static StoredCommit.Person person(Document document) {
        return new StoredCommit.Person(document.getString(NAME), document.getString(EMAIL), document.getString(DATE));
    }

    /** Inserts what is not there yet; returns how many were new. */
    public long insert(List<Document> batch) {
        return batch.size() - insertUnordered(batch).size();
    }

    /**
     * Inserts commits written by {@code attempt} under the lease {@code token}; a commit already
     * stored that {@code adopt} accepts (one no served generation names: left by an attempt that
     * never reached its commit point) and that carries no later token is made the attempt's, so that
     * the writer that left it, taking back what it wrote, cannot remove it; one that vanished
     * meanwhile (taken back by that writer) is inserted again (ADR 0010). Returns how many were new.
     */
    public long insert(List<Document> batch, String attempt, long token, Predicate<String> adopt) {
        List<Document> pending = batch;
        long inserted = 0;
        for (int round = 0; !pending.isEmpty(); round++) {
            List<Integer> duplicates = insertUnordered(pending);
            inserted += pending.size() - duplicates.size();
            Set<String> adoptable = new LinkedHashSet<>();
            for (int index : duplicates) {
                if (adopt.test(pending.get(index).getString(SHA))) {
                    adoptable.add(pending.get(index).getString(ID));
                }
            }
            if (adoptable.isEmpty()) {
                break;
            }
            if (round == 3) {
                throw new IllegalStateException("commits taken back and inserted again three times: another writer keeps writing");
            }
            commits.updateMany(Filters.and(Filters.in(ID, adoptable), notLaterThan(token)),
                    Updates.combine(Updates.set(INSERTED_BY, attempt), Updates.set(WRITER_TOKEN, token)));
            Set<String> present = new HashSet<>();
            commits.find(Filters.in(ID, adoptable)).projection(new Document(ID, 1)).forEach(document -> present.add(document.getString(ID)));
            List<Document> vanished = new ArrayList<>();
            for (int index : duplicates) {
                Document document = pending.get(index);
                if (adoptable.contains(document.getString(ID)) && !present.contains(document.getString(ID))) {
                    vanished.add(document);
                }
            }
            pending = vanished;
        }
        return inserted;
    }

    /** Inserts unordered; returns the positions in {@code batch} of the documents already there (duplicate keys). */
    private List<Integer> insertUnordered(List<Document> batch) {
        return insertUnordered(commits, batch);
    }

    /** Inserts unordered into {@code collection}; returns the positions in {@code batch} of the documents already there. */
    static List<Integer> insertUnordered(MongoCollection<Document> collection, List<Document> batch) {
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
        return commits.deleteMany(Filters.and(Filters.in(ID, ids), notLaterThan(token))).getDeletedCount();
    }

    /** Drops the project's commits (a first fetch that failed part-way, a deleted project), but those a later writer wrote. */
    public void deleteAll(String projectId, long token) {
        commits.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), notLaterThan(token)));
    }

    /**
     * Removes the commits that one ingestion attempt inserted, and only those: commits it found
     * already stored keep the id of the attempt that inserted them (inserts never overwrite), and
     * those a later writer than {@code token}'s adopted carry that writer's id and token.
     */
    public long deleteInsertedBy(String projectId, String attempt, long token) {
        return commits.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(INSERTED_BY, attempt),
                notLaterThan(token))).getDeletedCount();
    }

    /**
     * Drops the project's commits that {@code keep} does not accept (by sha), but those a later
     * writer wrote: what writers that never reached their commit point left (ADR 0010). One scan.
     */
    public long sweep(String projectId, Predicate<String> keep, long token) {
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

    /** Streams the shas stored for the project. */
    public void forEachSha(String projectId, Consumer<String> sink) {
        forEachSha(Filters.eq(PROJECT_ID, projectId), sink);
    }

    /**
     * Streams the shas of the project's commits whose message matches {@code regex} (a regular
     * expression both MongoDB's PCRE and Java read alike), in no particular order: the store scans,
     * and only the shas it keeps come back.
     */
    public void forEachShaWithMessage(String projectId, String regex, Consumer<String> sink) {
        forEachSha(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.regex(MESSAGE, regex)), sink);
    }

    /**
     * Streams the shas of the project's commits whose author's ({@code committer} false) or
     * committer's name or email matches {@code regex}, in no particular order; only shas come back.
     */
    public void forEachShaWithPerson(String projectId, boolean committer, String regex, Consumer<String> sink) {
        String role = committer ? COMMITTER : AUTHOR;
        forEachSha(Filters.and(Filters.eq(PROJECT_ID, projectId),
                Filters.or(Filters.regex(role + "." + NAME, regex), Filters.regex(role + "." + EMAIL, regex))), sink);
    }

    /** An author and the project's commits stored with them. */
    public record AuthorCount(String name, String email, long commits) {
    }

    /**
     * The project's authors whose name or email matches {@code regex}, with their commits as stored,
     * most first (then by name and email), at most {@code limit}: grouped by the store, only the groups
     * come back.
     */
    public List<AuthorCount> authors(String projectId, String regex, int limit) {
        String name = AUTHOR + "." + NAME;
        String email = AUTHOR + "." + EMAIL;
        List<Bson> pipeline = List.of(
                Aggregates.match(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.or(Filters.regex(name, regex), Filters.regex(email, regex)))),
                Aggregates.group(new Document(NAME, "$" + name).append(EMAIL, "$" + email), Accumulators.sum("commits", 1)),
                Aggregates.sort(Sorts.orderBy(Sorts.descending("commits"), Sorts.ascending("_id." + NAME), Sorts.ascending("_id." + EMAIL))),
                Aggregates.limit(limit));
        List<AuthorCount> authors = new ArrayList<>();
        commits.aggregate(pipeline).forEach(group -> {
            Document id = group.get(ID, Document.class);
            authors.add(new AuthorCount(id.getString(NAME), id.getString(EMAIL), ((Number) group.get("commits")).longValue()));
        });
        return authors;
    }

    private void forEachSha(Bson filter, Consumer<String> sink) {
        commits.find(filter).projection(new Document(SHA, 1)).batchSize(10_000).forEach(document -> sink.accept(document.getString(SHA)));
    }

    /** Streams the people of every commit stored for the project, in no particular order. */
    public void forEachIdentities(String projectId, Consumer<Identities> sink) {
        String authorName = AUTHOR + "." + NAME;
        String authorEmail = AUTHOR + "." + EMAIL;
        String committerName = COMMITTER + "." + NAME;
        String committerEmail = COMMITTER + "." + EMAIL;
        commits.find(Filters.eq(PROJECT_ID, projectId))
                .projection(new Document(SHA, 1).append(authorName, 1).append(authorEmail, 1).append(committerName, 1).append(committerEmail, 1))
                .batchSize(10_000).forEach(document -> {
                    Document author = document.get(AUTHOR, Document.class);
                    Document committer = document.get(COMMITTER, Document.class);
                    sink.accept(new Identities(document.getString(SHA), author.getString(NAME), author.getString(EMAIL),
                            committer.getString(NAME), committer.getString(EMAIL)));
                });
    }

    /** The project's commit with this sha, if stored. */
    public Optional<StoredCommit> bySha(String projectId, String sha) {
        return Optional.ofNullable(commits.find(Filters.eq(ID, id(projectId, sha))).first()).map(Commits::toCommit);
    }

    /** The commits of the project with these shas, in no particular order. */
    public List<StoredCommit> byShas(String projectId, List<String> shas) {
        if (shas.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(shas.size());
        shas.forEach(sha -> ids.add(id(projectId, sha)));
        return read(commits.find(Filters.in(ID, ids)));
    }

    /**
     * Rebuilds the graph of what the store holds for a project from its commits (their shas,
     * dates and parents): for a generation written before graphs. One scan of the project's commits.
     */
    CommitGraph graph(String projectId) {
        CommitGraph.Builder builder = CommitGraph.builder();
        commits.find(Filters.eq(PROJECT_ID, projectId)).projection(new Document(SHA, 1).append(PARENTS, 1).append(COMMITTED_AT, 1))
                .batchSize(10_000).forEach(document -> builder.add(document.getString(SHA), document.getDate(COMMITTED_AT).getTime(),
                        document.getList(PARENTS, String.class, List.of())));
        return builder.build();
    }

    private static List<StoredCommit> read(FindIterable<Document> found) {
        List<StoredCommit> read = new ArrayList<>();
        found.forEach(document -> read.add(toCommit(document)));
        return read;
    }
}

package io.commitviewer.commit.store;

import static io.commitviewer.commit.store.StoreCollections.WRITER_TOKEN;
import static io.commitviewer.commit.store.StoreCollections.notLaterThan;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * The {@code graphs} collection, its one owner: each generation's commit graph beside its branches
 * (same generation, same fate: served, then dropped with them, except while a later generation
 * builds on it), cut into chunks under MongoDB's 16 MiB a document. What the bytes mean is
 * {@link CommitGraphs}' business.
 */
public final class GraphChunks {

    /** A stored graph is cut into documents of at most this many bytes. */
    static final int CHUNK_BYTES = 4 << 20;
    private static final String PROJECT_ID = "projectId";
    private static final String GENERATION = "generation";
    private static final String CHUNK = "chunk";
    private static final String CHUNKS = "chunks";
    private static final String BASE = "base";
    private static final String CHAIN = "chain";
    private static final String DELTA_BYTES = "deltaBytes";
    private static final String DATA = "data";

    private final MongoCollection<Document> graphs;

    GraphChunks(MongoDatabase database) {
        this.graphs = database.getCollection(StoreCollections.GRAPHS);
    }

    /**
     * A generation's stored graph: the whole graph ({@code base} null), or the delta of a refresh
     * over the generation {@code base}; {@code chain} lists every generation it builds on, nearest
     * last, and {@code deltaBytes} the size of their deltas and its own.
     */
    public record StoredGraph(String base, List<String> chain, long deltaBytes, byte[] payload) {
    }

    void createIndexes() {
        graphs.createIndex(Indexes.compoundIndex(Indexes.ascending(PROJECT_ID), Indexes.ascending(GENERATION),
                Indexes.ascending(CHUNK)), new IndexOptions().name("project_generation_chunk"));
    }

    void drop() {
        graphs.drop();
    }

    /** Writes a generation's graph, replacing what that generation had. */
    public void write(String projectId, String generation, long token, StoredGraph graph) {
        byte[] bytes = graph.payload();
        int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        graphs.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation)));
        for (int chunk = 0; chunk < chunks; chunk++) {
            int from = chunk * CHUNK_BYTES;
            byte[] part = Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK_BYTES));
            // one at a time: a batch of 4 MiB chunks would exceed a message's size
            graphs.insertOne(new Document("_id", projectId + ":" + generation + ":" + chunk).append(PROJECT_ID, projectId)
                    .append(GENERATION, generation).append(CHUNK, chunk).append(CHUNKS, chunks).append(BASE, graph.base())
                    .append(CHAIN, graph.chain()).append(DELTA_BYTES, graph.deltaBytes()).append(WRITER_TOKEN, token)
                    .append(DATA, new Binary(part)));
        }
    }

    /** A generation's stored graph without its payload (empty): what builds on what, without reading megabytes. */
    public Optional<StoredGraph> header(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        Document head = graphs.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation),
                Filters.eq(CHUNK, 0))).projection(new Document(BASE, 1).append(CHAIN, 1).append(DELTA_BYTES, 1)).first();
        return head == null ? Optional.empty() : Optional.of(graph(head, new byte[0]));
    }

    /** A generation's graph as stored; empty when there is none whole (written before graphs, or cut short). */
    public Optional<StoredGraph> read(String projectId, String generation) {
        if (generation == null) {
            return Optional.empty();
        }
        List<Document> documents = graphs.find(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.eq(GENERATION, generation)))
                .sort(Sorts.ascending(CHUNK)).into(new ArrayList<>());
        if (documents.isEmpty() || documents.get(0).getInteger(CHUNKS) != documents.size()) {
            return Optional.empty();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int chunk = 0; chunk < documents.size(); chunk++) {
            Document document = documents.get(chunk);
            if (document.getInteger(CHUNK) != chunk) {
                return Optional.empty();
            }
            bytes.writeBytes(document.get(DATA, Binary.class).getData());
        }
        return Optional.of(graph(documents.get(0), bytes.toByteArray()));
    }

    private static StoredGraph graph(Document head, byte[] payload) {
        Number deltaBytes = head.get(DELTA_BYTES, Number.class);
        return new StoredGraph(head.getString(BASE), head.getList(CHAIN, String.class, List.of()),
                deltaBytes == null ? 0 : deltaBytes.longValue(), payload);
    }

    /** Drops the project's graphs but those of {@code keep}'s generations, but those a later writer than {@code token}'s wrote. */
    void deleteBut(String projectId, Collection<String> keep, long token) {
        graphs.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), Filters.nin(GENERATION, keep), notLaterThan(token)));
    }

    /** Drops the project's graphs, but those a later writer than {@code token}'s wrote. */
    void deleteAll(String projectId, long token) {
        graphs.deleteMany(Filters.and(Filters.eq(PROJECT_ID, projectId), notLaterThan(token)));
    }
}

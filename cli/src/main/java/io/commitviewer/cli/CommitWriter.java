package io.commitviewer.cli;

import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.IsoDates;
import io.commitviewer.common.git.Signature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.json.JsonFactory;

/** Writes commits as they stream from git, in one of the {@link OutputFormat}s. */
abstract class CommitWriter implements AutoCloseable {


    abstract void write(GitCommit commit) throws IOException;

    @Override
    public abstract void close() throws IOException;

    static CommitWriter create(OutputFormat format, OutputStream out) {
        return switch (format) {
            case json -> new Json(out, true);
            case ndjson -> new Json(out, false);
            case table -> new Table(out);
        };
    }

    /** A JSON array, or NDJSON: one object per line. Control characters are escaped by JSON itself. */
    private static final class Json extends CommitWriter {
        private static final JsonFactory FACTORY = new JsonFactory();
        private final JsonGenerator generator;
        private final OutputStream out;
        private final boolean array;

        Json(OutputStream out, boolean array) {
            this.out = out;
            this.array = array;
            this.generator = FACTORY.createGenerator(out);
            if (array) {
                generator.writeStartArray();
            }
        }

        /** Whether a write failed (the reader went away): the array is left as it is. */
        private boolean failed;

        @Override
        void write(GitCommit commit) throws IOException {
            try {
                object(commit);
            } catch (JacksonIOException e) {
                failed = true;
                throw cause(e);
            }
        }

        /** Jackson 3 reports a failed write unchecked; the caller stops quietly on an IOException (e.g. piped into head). */
        private static IOException cause(JacksonIOException e) {
            return e.getCause() != null ? e.getCause() : new IOException(e.getMessage(), e);
        }

        private void object(GitCommit commit) throws IOException {
            generator.writeStartObject();
            generator.writeStringProperty("sha", commit.sha());
            generator.writeName("parents");
            generator.writeStartArray();
            for (String parent : commit.parents()) {
                generator.writeString(parent);
            }
            generator.writeEndArray();
            signature("author", commit.author());
            signature("committer", commit.committer());
            generator.writeStringProperty("message", commit.message());
            if (commit.messageTruncated()) {
                generator.writeBooleanProperty("messageTruncated", true);
            }
            flags("truncated", commit.truncated());
            flags("clamped", commit.clamped());
            generator.writeEndObject();
            if (!array) {
                generator.flush();
                out.write('\n');
            }
        }

        /** Fields the parser cut or dates it clamped; absent when none, as in the service's API. */
        private void flags(String name, java.util.Set<String> fields) {
            if (fields.isEmpty()) {
                return;
            }
            generator.writeName(name);
            generator.writeStartArray();
            for (String field : fields) {
                generator.writeString(field);
            }
            generator.writeEndArray();
        }

        private void signature(String name, Signature signature) {
            generator.writeName(name);
            generator.writeStartObject();
            generator.writeStringProperty("name", signature.name());
            generator.writeStringProperty("email", signature.email());
            generator.writeStringProperty("date", IsoDates.format(signature.date()));
            generator.writeEndObject();
        }

        @Override
        public void close() throws IOException {
            if (failed) {
                return; // nothing more can be written, nor needs to be
            }
            try {
                if (array) {
                    generator.writeEndArray();
                    generator.flush();
                    out.write('\n');
                }
                generator.close();
            } catch (JacksonIOException e) {
                throw cause(e);
            }
        }
    }

    /** Columns for a terminal; control characters are replaced so a message cannot drive the terminal. */
    static final class Table extends CommitWriter {
        private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xx");
        private static final String ROW = "%-12s  %-22s  %-24s  %s%n";
        private final Writer out;
        private boolean header = true;

        Table(OutputStream out) {
            this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        }

        @Override
        void write(GitCommit commit) throws IOException {
            if (header) {
                out.write(String.format(ROW, "SHA", "COMMITTED", "AUTHOR", "SUBJECT"));
                header = false;
            }
            out.write(String.format(ROW, commit.sha().substring(0, 12), DATE.format(commit.committer().date()),
                    fit(safe(commit.author().name()), 24), fit(safe(subject(commit.message())), 100)));
        }

        private static String subject(String message) {
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }

        static String safe(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                    || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ? '\uFFFD' : c));
            return out.toString();
        }

        private static String fit(String text, int width) {
            if (text.codePointCount(0, text.length()) <= width) {
                return text;
            }
            return text.substring(0, text.offsetByCodePoints(0, width - 1)) + "…";
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}

package io.commitviewer.cli;

/** How {@code list-commits} writes commits. */
enum OutputFormat {
    /** One JSON array (the default). */
    json,
    /** One JSON object per line. */
    ndjson,
    /** Aligned columns for people: short sha, committer date, author, subject. */
    table
}

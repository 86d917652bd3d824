package io.commitviewer.common.git;

/** Receives commits as git streams them; returning {@code false} stops the stream early. */
@FunctionalInterface
public interface CommitSink {

    boolean accept(GitCommit commit) throws Exception;
}

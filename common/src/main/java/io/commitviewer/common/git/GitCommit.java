package io.commitviewer.common.git;

import java.util.List;

/**
 * One commit as {@code git log} reports it.
 *
 * @param messageTruncated true when the message was cut at {@link GitSettings#maxMessageBytes()}
 */
public record GitCommit(String sha, List<String> parents, Signature author, Signature committer, String message,
        boolean messageTruncated) {
}

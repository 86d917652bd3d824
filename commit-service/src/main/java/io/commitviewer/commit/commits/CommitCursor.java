package io.commitviewer.commit.commits;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.regex.Pattern;

/** Opaque keyset position: the (committedAt, _id) of the last commit of a page. */
record CommitCursor(Date committedAt, String id) {

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    String encode() {
        String raw = committedAt.getTime() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static CommitCursor decode(String cursor, String projectId) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            CommitCursor decoded = new CommitCursor(new Date(Long.parseLong(raw.substring(0, colon))), raw.substring(colon + 1));
            // exactly a commit id of this project (projectId:sha): nothing else reaches a query
            String prefix = projectId + ":";
            if (!decoded.id().startsWith(prefix) || !SHA.matcher(decoded.id().substring(prefix.length())).matches()) {
                throw new IllegalArgumentException("not a commit of this project");
            }
            return decoded;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("invalid-cursor", "the cursor is not valid; use the nextCursor of a previous page");
        }
    }
}

package io.commitviewer.commit.commits;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;

/** Opaque keyset position: the (committedAt, _id) of the last commit of a page. */
record CommitCursor(Date committedAt, String id) {

    String encode() {
        String raw = committedAt.getTime() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static CommitCursor decode(String cursor, String projectId) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            CommitCursor decoded = new CommitCursor(new Date(Long.parseLong(raw.substring(0, colon))), raw.substring(colon + 1));
            if (!decoded.id().startsWith(projectId + ":")) {
                throw new IllegalArgumentException("cursor of another project");
            }
            return decoded;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("invalid-cursor", "the cursor is not valid; use the nextCursor of a previous page");
        }
    }
}

package io.commitviewer.commit.commits;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.bson.Document;

/** What the commits API returns. */
final class CommitResponses {

    private CommitResponses() {
    }

    record Person(String name, String email, String date) {
        static Person of(Document document) {
            return new Person(document.getString("name"), document.getString("email"), document.getString("date"));
        }
    }

    /**
     * @param truncated fields cut at their cap ({@code message}, {@code author.name}, {@code parents}, …); absent when none
     * @param clamped   dates clamped into the years 0000–9999 or to UTC; absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Commit(String sha, List<String> parents, Person author, Person committer, String message, Boolean messageTruncated,
            List<String> truncated, List<String> clamped) {
        static Commit of(Document document) {
            return new Commit(document.getString("sha"), document.getList("parents", String.class),
                    Person.of(document.get("author", Document.class)), Person.of(document.get("committer", Document.class)),
                    document.getString("message"), Boolean.TRUE.equals(document.getBoolean("messageTruncated")) ? Boolean.TRUE : null,
                    document.getList("truncated", String.class), document.getList("clamped", String.class));
        }
    }

    /** @param nextCursor the next page's cursor; null on the last page, and in page mode */
    record CommitPage(String projectId, long totalCount, List<Commit> items,
            @io.swagger.v3.oas.annotations.media.Schema(nullable = true) String nextCursor) {
    }

    /** @param commitCount commits on the branch ({@code git rev-list --count NAME}); absent when it was not counted */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Branch(String name, String tip, Long commitCount) {
        static Branch of(Document document) {
            Number count = document.get("commitCount", Number.class);
            return new Branch(document.getString("name"), document.getString("tip"), count == null ? null : count.longValue());
        }
    }
}

package io.commitviewer.commit.commits;

/** A request this API refuses (400), with the problem type's slug. */
public class InvalidRequestException extends RuntimeException {

    private final String slug;

    public InvalidRequestException(String slug, String message) {
        super(message);
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}

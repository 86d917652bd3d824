package io.commitviewer.commit.commits;

/** A project or commit this service does not have (404), with the problem type's slug. */
public class NotFoundException extends RuntimeException {

    private final String slug;

    public NotFoundException(String slug, String message) {
        super(message);
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}

package io.commitviewer.common.url;

/**
 * A repository URL that the policy refuses. {@link #reason()} is stable and machine-readable;
 * the message is one sentence a user can act on.
 */
public final class InvalidRepositoryUrlException extends IllegalArgumentException {

    private final Reason reason;

    public InvalidRepositoryUrlException(Reason reason, String detail) {
        super(reason.description() + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Why a URL was refused. The slug is used in problem types and CLI output. */
    public enum Reason {
        BLANK("blank-url", "the URL is empty"),
        TOO_LONG("url-too-long", "the URL is longer than " + RepositoryUrlPolicy.MAX_LENGTH + " characters"),
        CONTROL_CHARACTERS("control-characters", "the URL contains control characters"),
        WHITESPACE("whitespace", "the URL contains whitespace"),
        LOOKS_LIKE_OPTION("looks-like-option", "the URL starts with '-'"),
        SCHEME_NOT_ALLOWED("scheme-not-allowed", "scheme not allowed"),
        CREDENTIALS("credentials-in-url", "credentials in URL are not allowed"),
        PORT_NOT_ALLOWED("port-not-allowed", "port not allowed"),
        HOST_NOT_ALLOWED("host-not-allowed", "host not allowed"),
        QUERY_OR_FRAGMENT("query-or-fragment", "query strings and fragments are not allowed"),
        ENCODED_CHARACTERS("encoded-characters", "percent-encoded characters are not allowed"),
        INVALID_PATH("invalid-path", "the path must be /{owner}/{repository}"),
        INVALID_OWNER("invalid-owner", "invalid owner name"),
        INVALID_REPOSITORY("invalid-repository", "invalid repository name");

        private final String slug;
        private final String description;

        Reason(String slug, String description) {
            this.slug = slug;
            this.description = description;
        }

        public String slug() {
            return slug;
        }

        public String description() {
            return description;
        }
    }
}

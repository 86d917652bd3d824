package io.commitviewer.common.url;

import java.util.Locale;
import java.util.Objects;

/**
 * A repository URL that passed {@link RepositoryUrlPolicy}. Only the policy creates one, so any
 * instance is safe to hand to git.
 */
public final class RepositoryUrl {

    private final String origin;
    private final String owner;
    private final String name;

    RepositoryUrl(String origin, String owner, String name) {
        this.origin = origin;
        this.owner = owner;
        this.name = name;
    }

    /** {@code scheme://host[:port]}, lower case. */
    public String origin() {
        return origin;
    }

    /** Owner as written by the user (GitHub names are case-insensitive). */
    public String owner() {
        return owner;
    }

    /** Repository name without {@code .git}. */
    public String name() {
        return name;
    }

    /** {@code https://github.com/{owner}/{repo}}: what the API shows. */
    public String canonical() {
        return origin + "/" + owner + "/" + name;
    }

    /** What git clones from. */
    public String cloneUrl() {
        return canonical() + ".git";
    }

    /** Case-insensitive identity: two spellings of one repository share it. */
    public String identityKey() {
        return canonical().toLowerCase(Locale.ROOT);
    }

    /** Host and port, lower case, e.g. {@code github.com} or {@code 127.0.0.1:18080}. */
    public String authority() {
        return origin.substring(origin.indexOf("://") + 3);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RepositoryUrl that && origin.equals(that.origin) && owner.equals(that.owner)
                && name.equals(that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, owner, name);
    }

    @Override
    public String toString() {
        return canonical();
    }
}

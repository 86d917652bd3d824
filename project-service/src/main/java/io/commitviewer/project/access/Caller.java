package io.commitviewer.project.access;

/**
 * Who is changing projects: the API key of the request, or anyone, in the open mode (no key
 * configured). Read from the request by {@link ApiKeyFilter}.
 *
 * @param key   the key's name; null in the open mode
 * @param admin the key may delete every project, not only those it added (always, in the open mode)
 */
public record Caller(String key, boolean admin) {

    /** Anyone, in the open mode. */
    public static final Caller ANYONE = new Caller(null, true);

    /** The name logs and metrics show: the key's, or {@code open}. */
    public String label() {
        return key == null ? "open" : key;
    }

    /** May delete a project that {@code owner} added (null: added in the open mode, or before keys). */
    public boolean mayDelete(String owner) {
        return admin || (key != null && key.equals(owner));
    }
}

package io.commitviewer.common.git;

/**
 * A tag ({@code refs/tags/{name}}) and the object it names, annotated tags peeled as git peels
 * them ({@code NAME^{}}): {@code type} is that object's type — {@code commit} for a tag whose
 * history can be listed; {@code tree} or {@code blob} for one that names no history.
 */
public record Tag(String name, String object, String type) {

    public boolean onCommit() {
        return "commit".equals(type);
    }
}

package io.commitviewer.common.git;

/** A branch ({@code refs/heads/{name}}) and the commit it points to. */
public record Branch(String name, String tip) {
}

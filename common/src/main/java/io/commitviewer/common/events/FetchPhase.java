package io.commitviewer.common.events;

/** Where a running fetch is (its {@link FetchProgress}). */
public enum FetchPhase {
    /** git clones the repository, or fetches what is new into its mirror. */
    CLONING,
    /** git lists the commits; those new to the store are written as they come. */
    LISTING,
    /** the listing is done: removals, branches, the commit graph and the commit point. */
    STORING
}

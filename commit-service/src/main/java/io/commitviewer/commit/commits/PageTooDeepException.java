package io.commitviewer.commit.commits;

/**
 * A page by number beyond the deepest offset served that way (skipping costs as much as reading):
 * 400, pointing to the cursor listing, which costs the same at any depth.
 */
public class PageTooDeepException extends InvalidRequestException {

    private final long maxOffset;
    private final String cursorListing;

    PageTooDeepException(String projectId, long maxOffset, int perPage) {
        super("page-too-deep", "pages by number reach " + maxOffset + " commits deep; list further by cursor: "
                + "follow the Link rel=\"next\" of /api/projects/" + projectId + "/commits?limit=" + perPage);
        this.maxOffset = maxOffset;
        this.cursorListing = "/api/projects/" + projectId + "/commits?limit=" + perPage;
    }

    public long maxOffset() {
        return maxOffset;
    }

    /** Where the cursor listing starts (relative). */
    public String cursorListing() {
        return cursorListing;
    }
}

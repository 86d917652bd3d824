// A project's commits as a windowed list: the list is as tall as all its commits from the start
// (totalCount rows of a fixed height, so nothing jumps while scrolling), only the rows near the
// screen exist in the document, and pages of 100 are read by cursor, in order, up to the rows shown.

import { type Api, ApiError, type Commit, type CommitFilter, type CommitPage } from "./api";
import { copyButton, h } from "./dom";
import { ago, firstLine, number, shortSha, when } from "./format";

export const ROW_HEIGHT = 56;
const PAGE_SIZE = 100;
/** rows kept in the document above and below the screen */
const OVERSCAN = 12;

/** What a list has read, to show it again as it was (back from a commit) without reading it again. */
export interface ListSnapshot {
  commits: Commit[];
  cursor: string | null;
  total: number;
}

export class CommitList {
  readonly element: HTMLElement;
  private readonly commits: Commit[];
  private cursor: string | null;
  private total: number;
  private loading = false;
  private failure: HTMLElement | null = null;
  private readonly rows = new Map<number, HTMLElement>();
  private frame = 0;
  private readonly listener = () => this.schedule();

  constructor(
    private readonly api: Api,
    private readonly projectId: string,
    private readonly filter: CommitFilter,
    first: CommitPage | ListSnapshot,
    private readonly href: (sha: string) => string,
  ) {
    if ("items" in first) {
      this.commits = [...first.items];
      this.cursor = first.nextCursor;
      this.total = first.nextCursor ? Math.max(first.totalCount, first.items.length) : first.items.length;
    } else {
      this.commits = [...first.commits];
      this.cursor = first.cursor;
      this.total = first.total;
    }
    this.element = h("div", { class: "commit-list", role: "list", "aria-label": "Commits, newest first" });
    this.resize();
  }

  snapshot(): ListSnapshot {
    return { commits: [...this.commits], cursor: this.cursor, total: this.total };
  }

  get totalCount(): number {
    return this.total;
  }

  /** Starts following the window's scrolling; call detach() when the view goes. */
  attach(): void {
    window.addEventListener("scroll", this.listener, { passive: true });
    window.addEventListener("resize", this.listener);
    this.update();
  }

  detach(): void {
    window.removeEventListener("scroll", this.listener);
    window.removeEventListener("resize", this.listener);
    cancelAnimationFrame(this.frame);
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.update());
  }

  private resize(): void {
    this.element.style.height = `${this.total * ROW_HEIGHT}px`;
  }

  /** The rows on screen, from where the list is in the window. */
  private range(): [number, number] {
    const top = this.element.getBoundingClientRect().top;
    const first = Math.floor(-top / ROW_HEIGHT) - OVERSCAN;
    const last = Math.ceil((window.innerHeight - top) / ROW_HEIGHT) + OVERSCAN;
    return [Math.max(0, first), Math.min(this.total - 1, last)];
  }

  private update(): void {
    if (!this.element.isConnected) return;
    const [first, last] = this.range();
    for (const [index, row] of this.rows) {
      // a row with the focus stays, so that the keyboard never loses its place
      if ((index < first || index > last) && !row.contains(document.activeElement)) {
        row.remove();
        this.rows.delete(index);
      }
    }
    for (let index = first; index <= last; index++) {
      const commit = this.commits[index];
      const row = this.rows.get(index);
      if (row && (row.dataset.sha !== undefined || commit === undefined)) continue;
      const fresh = commit ? this.row(index, commit) : this.placeholder(index);
      if (row) row.replaceWith(fresh);
      else this.insert(fresh, index);
      this.rows.set(index, fresh);
    }
    if (last >= this.commits.length && this.cursor && !this.loading && !this.failure) {
      void this.loadMore();
    }
  }

  /** Keeps the rows in the document in list order, so that Tab goes down the list as it looks. */
  private insert(row: HTMLElement, index: number): void {
    let next: Element | null = null;
    for (const child of this.element.children) {
      if (Number((child as HTMLElement).dataset.index) > index) {
        next = child;
        break;
      }
    }
    this.element.insertBefore(row, next);
  }

  /** Reads pages, in order, until the rows on screen are loaded. */
  private async loadMore(): Promise<void> {
    this.loading = true;
    try {
      while (this.cursor && this.range()[1] >= this.commits.length && this.element.isConnected) {
        const page = await this.api.commits(this.projectId, this.filter, this.cursor, PAGE_SIZE);
        this.commits.push(...page.items);
        this.cursor = page.nextCursor;
        if (this.cursor && this.commits.length >= this.total) {
          // the history grew under the cursor (a refresh added older commits): the list grows
          this.total = Math.max(page.totalCount, this.commits.length + 1);
          this.resize();
        }
        this.update();
      }
    } catch (error) {
      this.showFailure(error instanceof ApiError ? error.message : "The next commits could not be read.");
    } finally {
      this.loading = false;
    }
    if (!this.cursor && this.commits.length !== this.total) {
      // the history changed under the cursor (a refresh): the list ends where the commits do
      this.total = this.commits.length;
      this.resize();
    }
    for (const row of this.rows.values()) row.setAttribute("aria-setsize", String(this.total));
    this.update();
  }

  private showFailure(message: string): void {
    const retry = h("button", { type: "button" }, "Try again");
    // at the bottom of the screen (sticky), not below a list that may be a million pixels tall
    this.failure = h("div", { class: "list-failure", role: "alert" }, `Could not load more commits: ${message} `, retry);
    retry.addEventListener("click", () => {
      this.failure?.remove();
      this.failure = null;
      this.update();
    });
    this.element.after(this.failure);
  }

  private position(row: HTMLElement, index: number): HTMLElement {
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    row.setAttribute("aria-posinset", String(index + 1));
    row.setAttribute("aria-setsize", String(this.total));
    return row;
  }

  private placeholder(index: number): HTMLElement {
    return this.position(
      h("div", { class: "row placeholder", role: "listitem", "data-index": index }, `Loading commit ${number(index + 1)}…`),
      index,
    );
  }

  private row(index: number, commit: Commit): HTMLElement {
    const title = firstLine(commit.message);
    return this.position(
      h(
        "div",
        { class: "row", role: "listitem", "data-index": index, "data-sha": commit.sha },
        h("a", { class: "message", href: this.href(commit.sha), title }, title),
        h(
          "div",
          { class: "meta" },
          h("code", { class: "sha", title: commit.sha }, shortSha(commit.sha)),
          copyButton(commit.sha, `Copy the sha of ${shortSha(commit.sha)}`),
          h("span", { class: "author", title: commit.author.email }, commit.author.name),
          // the committer date: the one the list is ordered and filtered by
          h(
            "time",
            { datetime: commit.committer.date, title: `committed ${when(commit.committer.date)}, authored ${when(commit.author.date)}` },
            ago(commit.committer.date),
            h("span", { class: "absolute" }, ` · ${when(commit.committer.date)}`),
          ),
        ),
      ),
      index,
    );
  }
}

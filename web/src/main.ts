// The page: three views on hash routes, so that every view (filters included) is a link.
//   #/                                          add a repository; the projects
//   #/p/{id}?q=&branch=&ref=&author=&committer=&since=&until=   a project's commits
//   #/p/{id}/compare/{base}...{head}            what head has that base has not (git log base..head)
//   #/p/{id}/c/{sha}                            one commit (a short sha too)

import { Api, ApiError, type Branch, type CommitFilter, type CommitPage, NotFetchedYet, type Project, type Refs, failureInWords } from "./api";
import { CommitList, type ListSnapshot } from "./commit-list";
import { announce, append, copyButton, h, replace } from "./dom";
import { ago, count, dayEnd, dayStart, number, shortSha, when } from "./format";

const KEY_STORAGE = "commit-viewer.api-key";
const api = new Api(() => localStorage.getItem(KEY_STORAGE));
const main = document.getElementById("main") as HTMLElement;

/**
 * The view on screen. A view's work goes on after its awaits; `alive()` says whether it is still
 * the one shown (a view left while a request ran must do nothing with the answer), and
 * `onLeave` registers what to stop (streams, timers, listeners) when another view replaces it —
 * at once, if that has already happened.
 */
interface View {
  alive(): boolean;
  onLeave(cleanup: () => void): void;
}
let shown = 0;
let cleanups: (() => void)[] = [];

/** The address of the last commit listing, so that a commit's "back" keeps its filters. */
const lastListing = new Map<string, string>();

/**
 * The commits a listing had read and where it was scrolled, by its address: coming back to it
 * (from a commit) shows it as it was, unless the project was fetched again meanwhile. The last
 * two only: each holds the commits its list had read, which were in memory while it was shown.
 */
const savedListings = new Map<string, { snapshot: ListSnapshot; scrollY: number; fetchedAt: string | null; total: string }>();
const SAVED_LISTINGS = 2;

const isActive = (project: Project) => project.status === "QUEUED" || project.status === "FETCHING";

/** Shows the view of the address; `moveFocus` after a navigation (not on the first load), so that
 *  the keyboard and screen readers start at the new view's heading. */
function render(moveFocus = false): void {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  const number = ++shown;
  const view: View = {
    alive: () => number === shown,
    onLeave: (cleanup) => (number === shown ? cleanups.push(cleanup) : cleanup()),
  };
  const [path = "/", query = ""] = location.hash.replace(/^#/, "").split("?", 2);
  // a mangled escape (%E0) in a pasted address is a view that does not exist, not a blank page
  const parts = path
    .split("/")
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return "";
      }
    });
  main.replaceChildren();
  if (parts.length === 0) {
    document.title = "Commit Viewer";
    void homeView(view, moveFocus);
  } else if (parts[0] === "p" && parts.length === 2 && parts[1]) {
    lastListing.set(parts[1]!, location.hash);
    void projectView(view, parts[1]!, new URLSearchParams(query), moveFocus);
  } else if (parts[0] === "p" && parts.length === 4 && parts[1] && parts[2] === "compare" && parts[3]?.includes("...")) {
    // base...head, as GitHub writes a comparison; a ref has no "..." (the API refuses "..")
    const [base = "", head = ""] = parts[3].split("...", 2);
    const comparison = new URLSearchParams(query);
    comparison.set("base", base);
    comparison.set("head", head);
    lastListing.set(parts[1]!, location.hash);
    void projectView(view, parts[1]!, comparison, moveFocus);
  } else if (parts[0] === "p" && parts.length === 4 && parts[1] && parts[2] === "c" && parts[3]) {
    void commitView(view, parts[1]!, parts[3]!);
  } else {
    document.title = "Not found · Commit Viewer";
    append(main, h("h1", {}, "Nothing here"), h("p", {}, "This address shows nothing. ", h("a", { href: "#/" }, "See the projects.")));
  }
}

// ---------------------------------------------------------------------------------------------
// The API key (writes only)

function keyPanel(): HTMLElement {
  const stored = localStorage.getItem(KEY_STORAGE);
  const input = h("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "cv_…",
    "aria-describedby": "api-key-help",
  });
  const state = h("span", { class: "key-state", role: "status" }, stored ? "A key is saved in this browser." : "No key saved.");
  const save = h("button", { type: "submit" }, "Save key");
  const forget = h("button", { type: "button", class: "secondary" }, "Forget key");
  const form = h(
    "form",
    { class: "key-form" },
    h("label", { for: "api-key" }, "API key"),
    input,
    save,
    forget,
    h(
      "p",
      { id: "api-key-help", class: "help" },
      "Needed to add, refresh and delete where this service requires keys; sent with those requests only and kept in this browser. ",
      state,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (value) {
      localStorage.setItem(KEY_STORAGE, value);
      input.value = "";
      state.textContent = "Key saved in this browser.";
      announce("API key saved");
      const panel = form.parentElement as HTMLDetailsElement;
      panel.open = false;
      panel.querySelector("summary")?.focus();
    }
  });
  forget.addEventListener("click", () => {
    localStorage.removeItem(KEY_STORAGE);
    state.textContent = "Key forgotten.";
  });
  return h("details", { class: "key", id: "key-panel" }, h("summary", {}, "API key"), form);
}

function askForKey(): void {
  const panel = document.getElementById("key-panel") as HTMLDetailsElement | null;
  if (panel) {
    panel.open = true;
    document.getElementById("api-key")?.focus();
  }
}

// ---------------------------------------------------------------------------------------------
// Live state of a project: the SSE stream, or polling that backs off where the stream is refused

/** Calls `update` with each new state of the project until its fetch ends; returns a stop function. */
function follow(id: string, update: (project: Project | null) => void): () => void {
  let stopped = false;
  let timer = 0;
  let source: EventSource | null = api.events(id);
  let delay = 1000;
  const poll = async () => {
    if (stopped) return;
    try {
      const project = await api.project(id);
      if (stopped) return;
      update(project);
      if (!isActive(project)) return;
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 404) {
        update(null);
        return;
      }
    }
    delay = Math.min(delay * 2, 30_000);
    timer = window.setTimeout(poll, delay);
  };
  source.addEventListener("project", (event) => {
    const project = JSON.parse((event as MessageEvent<string>).data) as Project;
    update(project);
    if (!isActive(project)) stop();
  });
  source.addEventListener("deleted", () => {
    update(null);
    stop();
  });
  source.onerror = () => {
    // the stream ended (204 after its last event) or was refused (503: too many streams): one
    // read says which, and polling goes on while the fetch runs
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      void poll();
    }
  };
  const stop = () => {
    stopped = true;
    source?.close();
    source = null;
    clearTimeout(timer);
  };
  return stop;
}

function progressText(project: Project): string {
  const fetch = project.fetch;
  if (project.status === "QUEUED") {
    return project.statusReason === "REFRESH" ? "Refresh queued: it starts in a moment." : "Queued: the fetch starts in a moment.";
  }
  if (project.status !== "FETCHING") return "";
  switch (fetch?.phase) {
    case "CLONING":
      return "Fetching: downloading the history…";
    case "LISTING":
      return `Fetching: reading commits${fetch.commitsStored ? ` (${number(fetch.commitsStored)} so far)` : ""}…`;
    case "STORING":
      return `Fetching: ${number(fetch.commitsStored ?? 0)} commits stored…`;
    default:
      return "Fetching: starting…";
  }
}

/** Refresh and delete, for whoever may (the API says no to the others, in words). */
interface ActionHandlers {
  report: (message: string) => void;
  onRefreshed: (project: Project) => void;
  onDeleted: () => void;
}

interface Actions {
  element: HTMLElement;
  /** a running fetch cannot be refreshed */
  setActive(active: boolean): void;
}

function actions(project: Project, { report, onRefreshed, onDeleted }: ActionHandlers): Actions {
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh");
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  const box = h("div", { class: "actions" }, refresh, remove);
  refresh.disabled = isActive(project);
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    try {
      const { project: refreshed, queued, retryAfter } = await api.refresh(project.id);
      if (queued || isActive(refreshed)) {
        report("Refresh asked for: the new commits appear when it ends.");
        announce(`Refreshing ${project.owner}/${project.name}`);
      } else {
        report(`Fetched moments ago: a refresh is taken again in ${retryAfter ?? 60} s.`);
        refresh.disabled = false;
      }
      onRefreshed(refreshed);
    } catch (error) {
      refresh.disabled = false;
      reportError(error, report);
    }
  });
  remove.addEventListener("click", () => {
    // asked in the page, not in a dialog box: keyboard and screen readers stay where they were
    const really = h("button", { type: "button", class: "danger" }, `Delete ${project.name}`);
    const cancel = h("button", { type: "button", class: "secondary" }, "Keep it");
    const question = h("span", { class: "confirm", role: "group", "aria-label": "Confirm deletion" }, "Delete it and all its commits? ", really, cancel);
    box.replaceChildren(question);
    really.focus();
    cancel.addEventListener("click", () => {
      box.replaceChildren(refresh, remove);
      remove.focus();
    });
    really.addEventListener("click", async () => {
      really.disabled = true;
      try {
        await api.remove(project.id);
        announce(`Deleted ${project.owner}/${project.name}`);
        onDeleted();
      } catch (error) {
        box.replaceChildren(refresh, remove);
        reportError(error, report);
      }
    });
  });
  return { element: box, setActive: (active) => (refresh.disabled = active) };
}

/**
 * A project's badge, counts, progress and failure, made once and updated in place as the live
 * state comes, so that the actions (and a deletion being confirmed, and the keyboard's focus)
 * stay where they are.
 */
function projectSummary(initial: Project, handlers: ActionHandlers, failurePrefix: string) {
  const badge = h("span", { class: "badge" });
  const counts = h("p", { class: "counts" });
  const progress = h("p", { class: "progress" });
  const failure = h("p", { class: "problem" });
  const controls = actions(initial, handlers);
  const update = (project: Project) => {
    const labels: Record<string, string> = { QUEUED: "Queued", FETCHING: "Fetching", READY: "Ready", FAILED: "Failed" };
    badge.className = `badge ${project.status.toLowerCase()}`;
    badge.textContent = labels[project.status] ?? project.status;
    replace(
      counts,
      count(project.commitCount, "commit", "commits"),
      " · ",
      count(project.branchCount, "branch", "branches"),
      " · ",
      project.lastFetchedAt
        ? h("time", { datetime: project.lastFetchedAt, title: when(project.lastFetchedAt) }, `fetched ${ago(project.lastFetchedAt)}`)
        : "not fetched yet",
    );
    progress.textContent = isActive(project) ? progressText(project) : "";
    failure.textContent = project.status === "FAILED" ? `${failurePrefix}${failureInWords(project.lastError?.reason)}` : "";
    controls.setActive(isActive(project));
  };
  update(initial);
  return { badge, counts, progress, failure, actions: controls.element, update };
}

/** A link to the repository, only for the web's own schemes. */
function repositoryLink(url: string): HTMLElement {
  let web = false;
  try {
    web = ["https:", "http:"].includes(new URL(url).protocol);
  } catch {
    // not a URL a browser can open (git@host:owner/name): text only
  }
  return web ? h("a", { href: url, rel: "noopener noreferrer" }, url) : h("span", {}, url);
}

function reportError(error: unknown, report: (message: string) => void): void {
  const message = error instanceof Error ? error.message : "Something went wrong.";
  report(message);
  if (error instanceof ApiError && error.status === 401) askForKey();
}

// ---------------------------------------------------------------------------------------------
// #/ : add a repository; the projects

async function homeView(view: View, moveFocus: boolean): Promise<void> {
  const input = h("input", {
    id: "repository-url",
    name: "url",
    type: "text",
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    placeholder: "https://github.com/owner/repository",
    "aria-describedby": "add-help add-problem",
  });
  const problem = h("p", { id: "add-problem", class: "problem", role: "alert" });
  const submit = h("button", { type: "submit" }, "Add");
  const form = h(
    "form",
    { class: "add", "aria-labelledby": "add-title" },
    h("h2", { id: "add-title" }, "Add a repository"),
    h("div", { class: "field" }, h("label", { for: "repository-url" }, "Repository URL"), h("div", { class: "inline" }, input, submit)),
    h("p", { id: "add-help", class: "help" }, "Any spelling GitHub shows: https://github.com/owner/name, owner/name, git@github.com:owner/name.git."),
    problem,
  );
  const list = h("section", { class: "projects", "aria-labelledby": "projects-title" }, h("h2", { id: "projects-title" }, "Projects"));
  const body = h("div", { class: "project-list", "aria-busy": "true" }, h("p", { class: "state" }, "Loading the projects…"));
  list.append(body);
  const heading = h("h1", { class: "visually-hidden", tabindex: -1 }, "Commit Viewer");
  append(main, heading, form, list);
  if (moveFocus) heading.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    input.removeAttribute("aria-invalid");
    submit.disabled = true;
    try {
      const project = await api.add(input.value.trim());
      if (!view.alive()) return;
      input.value = "";
      announce(`Added ${project.owner}/${project.name}`);
      await load();
      if (view.alive()) document.querySelector<HTMLElement>(`[data-project="${project.id}"] a`)?.focus();
    } catch (error) {
      input.setAttribute("aria-invalid", "true");
      reportError(error, (message) => (problem.textContent = message));
      if (!(error instanceof ApiError && error.status === 401)) input.focus();
    } finally {
      submit.disabled = false;
    }
  });

  const followed = new Map<string, () => void>();
  view.onLeave(() => followed.forEach((stop) => stop()));

  const load = async () => {
    let projects: Project[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await api.projects(cursor);
        projects.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && projects.length < 1000);
    } catch (error) {
      if (!view.alive()) return;
      const retry = h("button", { type: "button" }, "Try again");
      retry.addEventListener("click", () => void load());
      body.replaceChildren(h("p", { class: "state failed", role: "alert" }, `Could not load the projects. ${(error as Error).message} `, retry));
      body.setAttribute("aria-busy", "false");
      return;
    }
    if (!view.alive()) return;
    body.setAttribute("aria-busy", "false");
    // the cards are made anew: their streams too
    followed.forEach((stop) => stop());
    followed.clear();
    if (projects.length === 0) {
      body.replaceChildren(h("p", { class: "state empty" }, "No repositories yet. Add one above: its commits can be browsed here once it is fetched."));
      return;
    }
    body.replaceChildren(h("ul", { class: "cards" }, ...projects.map((project) => card(project))));
  };

  const card = (project: Project): HTMLElement => {
    const note = h("p", { class: "note", role: "status" });
    const element = h("li", { class: "card", "data-project": project.id, "data-status": project.status });
    const summary = projectSummary(
      project,
      {
        report: (message) => (note.textContent = message),
        onRefreshed: (next) => show(next),
        onDeleted: () => void load(),
      },
      "",
    );
    append(
      element,
      h("div", { class: "card-head" }, h("a", { class: "name", href: `#/p/${project.id}` }, `${project.owner}/${project.name}`), summary.badge),
      h("p", { class: "url" }, project.url),
      summary.counts,
      summary.progress,
      summary.failure,
      summary.actions,
      note,
    );
    const show = (current: Project) => {
      element.dataset.status = current.status;
      summary.update(current);
      if (isActive(current) && !followed.has(current.id) && followed.size < 3) {
        // a live stream for the first three running fetches (browsers allow six connections a
        // host); the others are read again with the list, which backs off
        followed.set(
          current.id,
          follow(current.id, (next) => {
            if (!next || !isActive(next)) followed.delete(current.id);
            if (next) show(next);
            else element.remove();
          }),
        );
      }
    };
    show(project);
    return element;
  };

  await load();
  if (!view.alive()) return;
  // running fetches without a stream of their own: the list again, ever less often
  let delay = 2000;
  let timer = 0;
  const again = () => {
    const unfollowed = [...document.querySelectorAll<HTMLElement>(".card")].some(
      (card) => (card.dataset.status === "QUEUED" || card.dataset.status === "FETCHING") && !followed.has(card.dataset.project ?? ""),
    );
    if (unfollowed) void load();
    delay = Math.min(delay * 2, 30_000);
    timer = window.setTimeout(again, delay);
  };
  timer = window.setTimeout(again, delay);
  view.onLeave(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// #/p/{id} : a project's commits

async function projectView(view: View, id: string, query: URLSearchParams, moveFocus: boolean): Promise<void> {
  const header = h("header", { class: "project-head" }, h("p", { class: "state" }, "Loading the project…"));
  const content = h("section", { class: "commits", "aria-labelledby": "commits-title" });
  append(main, h("p", { class: "back" }, h("a", { href: "#/" }, "← All projects")), header, content);

  let project: Project;
  try {
    project = await api.project(id);
  } catch (error) {
    if (view.alive()) header.replaceChildren(h("h1", {}, "Project"), h("p", { class: "state failed", role: "alert" }, (error as Error).message));
    return;
  }
  if (!view.alive()) return;
  const filter: CommitFilter = {
    branch: query.get("branch") || undefined,
    ref: query.get("ref") || undefined,
    base: query.get("base") || undefined,
    head: query.get("head") || undefined,
    q: query.get("q") || undefined,
    author: query.get("author") || undefined,
    committer: query.get("committer") || undefined,
    since: dayStart(query.get("since") ?? ""),
    until: dayEnd(query.get("until") ?? ""),
  };
  const note = h("p", { class: "note", role: "status" });
  const summary = projectSummary(
    project,
    {
      report: (message) => (note.textContent = message),
      onRefreshed: (next) => {
        show(next);
        if (isActive(next)) watch();
      },
      onDeleted: () => (location.hash = "#/"),
    },
    "The last fetch failed: ",
  );
  document.title = `${project.owner}/${project.name} · Commit Viewer`;
  const heading = h("h1", { tabindex: -1 }, `${project.owner}/${project.name}`, " ", summary.badge);
  replace(
    header,
    heading,
    h("p", { class: "url" }, repositoryLink(project.url)),
    summary.counts,
    summary.progress,
    summary.failure,
    summary.actions,
    note,
  );
  // without scrolling: coming back to a listing scrolls it to where it was
  if (moveFocus) heading.focus({ preventScroll: true });
  const show = (current: Project) => {
    project = current;
    summary.update(current);
  };

  let stopFollowing: (() => void) | null = null;
  const watch = () => {
    stopFollowing?.();
    stopFollowing = follow(id, (next) => {
      if (!view.alive()) return;
      if (!next) {
        header.replaceChildren(h("h1", {}, "Deleted"), h("p", { class: "state" }, "This project was deleted. ", h("a", { href: "#/" }, "See the projects.")));
        content.replaceChildren();
        return;
      }
      const wasActive = isActive(project);
      const hadLook = Boolean(project.fetch?.firstLook);
      show(next);
      if (wasActive && !isActive(next)) {
        announce(next.status === "READY" ? "Fetch finished" : "Fetch failed");
        void showCommits();
      } else if (!hadLook && next.fetch?.firstLook && isActive(next)) {
        void showCommits(); // a first look at the newest commits, while the rest comes
      }
    });
  };
  view.onLeave(() => stopFollowing?.());
  if (isActive(project)) watch();

  let list: CommitList | null = null;
  const address = location.hash;
  view.onLeave(() => {
    if (list) {
      savedListings.delete(address);
      savedListings.set(address, {
        snapshot: list.snapshot(),
        scrollY: window.scrollY,
        fetchedAt: project.lastFetchedAt,
        total: document.getElementById("commit-total")?.textContent ?? "",
      });
      while (savedListings.size > SAVED_LISTINGS) savedListings.delete(savedListings.keys().next().value!);
    }
    list?.detach();
  });

  const filters = filterForm(id, query);
  view.onLeave(filters.detach);

  let shownCommits = 0;
  const showCommits = async () => {
    // the latest call wins: an older answer arriving last must not replace a newer list
    const call = ++shownCommits;
    const current = () => view.alive() && call === shownCommits;
    list?.detach();
    list = null;
    const title = h("h2", { id: "commits-title" }, filter.head ? `Comparing ${filter.base}...${filter.head}` : "Commits");
    void filters.loadRefs(filter.branch, filter.ref);
    const saved = savedListings.get(address);
    savedListings.delete(address);
    if (saved && saved.fetchedAt === project.lastFetchedAt && !isActive(project)) {
      // back from a commit: the list as it was, scrolled where it was
      list = new CommitList(api, id, filter, saved.snapshot, (sha) => `#/p/${encodeURIComponent(id)}/c/${sha}`);
      content.replaceChildren(title, filters.form, h("p", { class: "total", id: "commit-total" }, saved.total), list.element);
      list.attach();
      window.scrollTo(0, saved.scrollY);
      return;
    }
    content.replaceChildren(title, filters.form, h("p", { class: "state", "aria-busy": "true" }, "Loading the commits…"));
    try {
      const page = await api.commits(id, filter, null);
      if (!current()) return;
      const total = h(
        "p",
        { class: "total", id: "commit-total" },
        page.complete === false
          ? `A first look: the newest ${number(page.items.length)} commits, newest first, while the whole history is fetched`
          : describeTotal(page.totalCount, filter, page),
      );
      if (page.items.length === 0) {
        content.replaceChildren(title, filters.form, total, h("p", { class: "state empty" }, filterEmpty(filter)));
        return;
      }
      // a first look is one page: the list holds what it shows, the exact listing replaces it when the fetch ends
      const shown = page.complete === false ? { ...page, totalCount: page.items.length } : page;
      list = new CommitList(api, id, filter, shown, (sha) => `#/p/${encodeURIComponent(id)}/c/${sha}`);
      content.replaceChildren(title, filters.form, total, list.element);
      list.attach();
    } catch (error) {
      if (!current()) return;
      if (error instanceof NotFetchedYet) {
        content.replaceChildren(
          title,
          h("p", { class: "state pending" }, "The first fetch has not ended yet: the commits appear here as soon as it does."),
        );
        if (!isActive(project)) {
          // the project says READY/FAILED but the commit store has not caught up: ask again soon
          const timer = window.setTimeout(() => void showCommits(), error.retryAfter * 1000);
          view.onLeave(() => clearTimeout(timer));
        }
        return;
      }
      const message = error instanceof ApiError ? error.message : "The commits could not be read.";
      const retry = h("button", { type: "button" }, "Try again");
      retry.addEventListener("click", () => void showCommits());
      content.replaceChildren(title, filters.form, h("p", { class: "state failed", role: "alert" }, `${message} `, retry));
    }
  };
  void showCommits();
}

function describeTotal(total: number, filter: CommitFilter, page?: CommitPage): string {
  const commits = `${number(total)} ${total === 1 ? "commit" : "commits"}`;
  if (filter.head && page?.aheadBy !== undefined) {
    const behind = page.behindBy ?? 0;
    return `${commits}${narrowed(filter) ? " matching the filters" : ""} in ${filter.head} and not in ${filter.base}, newest first: ${filter.head} is ${number(page.aheadBy)} ahead of ${filter.base}, ${number(behind)} behind`;
  }
  const ref = filter.branch ?? filter.ref;
  const where = ref ? ` on ${ref}` : " on all branches";
  return `${commits}${where}${narrowed(filter) ? " matching the filters" : ""}, newest first`;
}

/** Whether a filter narrows its history (a search or dates), beside choosing it (a branch, a ref, a comparison). */
function narrowed(filter: CommitFilter): boolean {
  return Boolean(filter.q || filter.author || filter.committer || filter.since || filter.until);
}

function filterEmpty(filter: CommitFilter): string {
  if (narrowed(filter)) return "No commit matches these filters. Clear them to see every commit.";
  if (filter.head) return `${filter.head} has no commit that ${filter.base} has not.`;
  return "This repository has no commits yet: they appear after a refresh that finds some.";
}

/** What the search box takes for a commit rather than a text: 7 to 40 hex digits, one of them a digit. */
const SHA_LIKE = /^(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}$/i;
/** The ref picker's value prefix for a tag (and for a sha a link picked): read as `ref=`, a branch's as `branch=`. */
const TAG = "tag:";

/**
 * Search, branch, author and dates; applying them changes the address, so a link reproduces the
 * view. A sha typed or pasted in the search box opens that commit; `/` anywhere else focuses it.
 */
function filterForm(
  id: string,
  query: URLSearchParams,
): { form: HTMLFormElement; loadRefs: (branch?: string, ref?: string) => Promise<void>; detach: () => void } {
  const search = h("input", {
    id: "filter-q",
    name: "q",
    type: "search",
    value: query.get("q") ?? "",
    placeholder: "words in messages, or a commit sha",
    autocomplete: "off",
    "aria-keyshortcuts": "/",
  });
  // the ref picker: a branch's value is its name, a tag's is "tag:" and its name (no ref name holds a colon)
  const branch = h("select", { id: "filter-branch", name: "branch" }, h("option", { value: "" }, "All branches"));
  const selected = query.get("branch");
  const selectedRef = query.get("ref");
  if (selected) branch.append(h("option", { value: selected, selected: true }, selected));
  else if (selectedRef) branch.append(h("option", { value: TAG + selectedRef, selected: true }, selectedRef));
  const suggestions = h("datalist", { id: "author-suggestions" });
  const author = h("input", {
    id: "filter-author",
    name: "author",
    type: "text",
    value: query.get("author") ?? "",
    placeholder: "name or email",
    autocomplete: "off",
    list: "author-suggestions",
  });
  const since = h("input", { id: "filter-since", name: "since", type: "date", value: query.get("since") ?? "" });
  const until = h("input", { id: "filter-until", name: "until", type: "date", value: query.get("until") ?? "" });
  const clear = h("a", { href: `#/p/${encodeURIComponent(id)}`, class: "clear" }, "Clear filters");
  const compare = h("a", { href: `#/p/${encodeURIComponent(id)}/compare/`, class: "compare-link", hidden: true }, "Compare");
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filters", role: "search" },
    h("div", { class: "field search" }, h("label", { for: "filter-q" }, "Search"), search),
    h("div", { class: "field" }, h("label", { for: "filter-branch" }, "Branch or tag"), branch),
    h("div", { class: "field" }, h("label", { for: "filter-author" }, "Author"), author, suggestions),
    h("div", { class: "field" }, h("label", { for: "filter-since" }, "From"), since),
    h("div", { class: "field" }, h("label", { for: "filter-until" }, "To"), until),
    h("div", { class: "field buttons" }, h("button", { type: "submit" }, "Apply"), clear, compare),
    h(
      "details",
      { class: "filters-help" },
      h("summary", {}, "What the filters mean"),
      h(
        "ul",
        {},
        h("li", {}, "Search: commits whose message contains the text, as typed, letters in either case (fix race finds “Fix race in fetch”); 7 to 40 hex digits open that commit (4f2a1c9)."),
        h("li", {}, "Branch or tag: that ref's whole history, as git log v2.1.0 lists it; all branches when none is picked."),
        h("li", {}, "Author: part of a name or an email (ada, @example.com)."),
        h("li", {}, "From, To: the days the commits were committed, in your time zone."),
        h("li", {}, "Compare: what one ref has that another has not (git log v2.0.0..main), at #/p/…/compare/v2.0.0...main."),
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = search.value.trim();
    if (SHA_LIKE.test(text)) {
      location.hash = `#/p/${encodeURIComponent(id)}/c/${text.toLowerCase()}`;
      return;
    }
    const next = new URLSearchParams();
    if (text) next.set("q", text);
    const picked = query.get("head") ? "" : branch.value;
    if (picked.startsWith(TAG)) next.set("ref", picked.slice(TAG.length));
    else if (picked) next.set("branch", picked);
    for (const kept of picked ? ["committer"] : ["ref", "committer"]) {
      const value = query.get(kept);
      if (value) next.set(kept, value); // set by a link, kept by the form
    }
    if (author.value.trim()) next.set("author", author.value.trim());
    if (since.value) next.set("since", since.value);
    if (until.value) next.set("until", until.value);
    const suffix = next.toString();
    const base = query.get("base");
    const head = query.get("head");
    const path = base && head ? `/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}` : "";
    location.hash = `#/p/${encodeURIComponent(id)}${path}${suffix ? `?${suffix}` : ""}`;
  });
  // suggestions as the author is typed: the people of the project whose name or email starts so
  let asked = 0;
  let timer = 0;
  author.addEventListener("input", () => {
    window.clearTimeout(timer);
    const prefix = author.value.trim();
    if (prefix.length < 2) return;
    timer = window.setTimeout(async () => {
      const call = ++asked;
      try {
        const people = await api.authors(id, prefix);
        if (call !== asked) return;
        suggestions.replaceChildren(...people.map((p) => h("option", { value: p.email }, `${p.name} <${p.email}> · ${number(p.commitCount)}`)));
      } catch {
        // no suggestions: the filter still works
      }
    }, 200);
  });
  const focusSearch = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey && form.isConnected) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  };
  document.addEventListener("keydown", focusSearch);
  const loadRefs = async (current?: string, currentRef?: string) => {
    let refs: Refs;
    try {
      refs = await api.refs(id);
    } catch {
      return; // the list of all branches still works; the select offers what the address says
    }
    const branches = refs.branches;
    const named = (b: Branch) => (b.commitCount === undefined ? b.name : `${b.name} (${number(b.commitCount)})`);
    const isTag = !current && refs.tags.some((t) => t.name === currentRef);
    branch.replaceChildren(
      h("option", { value: "" }, "All branches"),
      h("optgroup", { label: "Branches" }, ...branches.map((b) => h("option", { value: b.name, selected: b.name === current }, named(b)))),
      ...(refs.tags.length === 0
        ? []
        : [h("optgroup", { label: "Tags" }, ...refs.tags.map((t) => h("option", { value: TAG + t.name, selected: isTag && t.name === currentRef }, named(t))))]),
    );
    if (currentRef && !current && !isTag) {
      // a sha from a link: shown as picked, kept by the form
      branch.append(h("option", { value: TAG + currentRef, selected: true }, currentRef));
    }
    const main = branches.find((b) => b.name === "main" || b.name === "master") ?? branches[0];
    const other = branches.find((b) => b !== main && b.name === current) ?? branches.find((b) => b !== main);
    if (main && other) {
      compare.setAttribute("href", `#/p/${encodeURIComponent(id)}/compare/${encodeURIComponent(main.name)}...${encodeURIComponent(other.name)}`);
      compare.hidden = false;
    }
  };
  return { form, loadRefs, detach: () => document.removeEventListener("keydown", focusSearch) };
}

// ---------------------------------------------------------------------------------------------
// #/p/{id}/c/{sha} : one commit

async function commitView(view: View, id: string, sha: string): Promise<void> {
  const back = lastListing.get(id) ?? `#/p/${encodeURIComponent(id)}`;
  append(main, h("p", { class: "back" }, h("a", { href: back }, "← Commits")));
  const body = h("article", { class: "commit", "aria-busy": "true" }, h("p", { class: "state" }, "Loading the commit…"));
  main.append(body);
  document.title = `${shortSha(sha)} · Commit Viewer`;
  try {
    const commit = await api.commit(id, sha);
    if (!view.alive()) return;
    const [subject = "", ...rest] = commit.message.split("\n");
    const person = (role: string, p: typeof commit.author) =>
      h("div", { class: "person" }, h("dt", {}, role), h("dd", {}, `${p.name} <${p.email}>`, h("br"), h("time", { datetime: p.date }, `${when(p.date)} (${ago(p.date)})`)));
    replace(
      body,
      h("h1", { class: "subject" }, subject.trim() || "(no message)"),
      rest.join("\n").trim() ? h("pre", { class: "message" }, rest.join("\n").replace(/^\n+/, "")) : null,
      commit.messageTruncated ? h("p", { class: "help" }, "The message is longer than this service stores: the rest is cut.") : null,
      h(
        "dl",
        { class: "details" },
        h("div", { class: "person" }, h("dt", {}, "Commit"), h("dd", {}, h("code", { class: "sha", "data-sha": commit.sha }, commit.sha), " ", copyButton(commit.sha, "Copy the full sha"))),
        person("Author", commit.author),
        person("Committer", commit.committer),
        h(
          "div",
          { class: "person" },
          h("dt", {}, commit.parents.length === 1 ? "Parent" : "Parents"),
          h(
            "dd",
            { class: "parents" },
            commit.parents.length === 0
              ? "none: the first commit of its history"
              : h("ul", {}, ...commit.parents.map((parent) => h("li", {}, h("a", { href: `#/p/${encodeURIComponent(id)}/c/${parent}`, "data-parent": parent }, h("code", {}, shortSha(parent)))))),
          ),
        ),
      ),
    );
    document.title = `${subject.trim().slice(0, 60)} · ${shortSha(sha)} · Commit Viewer`;
  } catch (error) {
    if (!view.alive()) return;
    const message =
      error instanceof NotFetchedYet
        ? "The first fetch has not ended yet: open this commit again once it has."
        : error instanceof ApiError
          ? error.message
          : "The commit could not be read.";
    const gone = error instanceof ApiError && error.slug === "commit-not-found" && sha.length === 40;
    const candidates = error instanceof ApiError && error.slug === "ambiguous-sha" ? (error.problem.candidates ?? []) : [];
    replace(
      body,
      h("h1", {}, gone ? "Not on any branch any more" : `Commit ${shortSha(sha)}`),
      h("p", { class: gone ? "state gone" : "state failed", role: "alert" }, message),
      candidates.length
        ? h("ul", { class: "candidates" }, ...candidates.map((c) => h("li", {}, h("a", { href: `#/p/${encodeURIComponent(id)}/c/${c}`, "data-candidate": c }, h("code", {}, c)))))
        : null,
    );
  }
  body.setAttribute("aria-busy", "false");
  const heading = body.querySelector("h1");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus();
}

// ---------------------------------------------------------------------------------------------

document.getElementById("key-slot")?.replaceWith(keyPanel());
// the skip link moves the focus without touching the address, which holds the route
document.querySelector(".skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", () => {
  render(true);
  window.scrollTo(0, 0);
});
render();

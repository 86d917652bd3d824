// The public API the gateway serves (docs/openapi/*.json), typed: the page calls nothing else.

export type ProjectStatus = "QUEUED" | "FETCHING" | "READY" | "FAILED";

export interface Fetch {
  id: string;
  status: string;
  reason: string | null;
  requestedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  phase: "CLONING" | "LISTING" | "STORING" | null;
  commitsStored: number | null;
  /** while a first fetch runs: its newest commits are served as a first look (the listing's first page) */
  firstLook: boolean;
}

export interface Project {
  id: string;
  url: string;
  owner: string;
  name: string;
  status: ProjectStatus;
  statusReason: string | null;
  commitCount: number | null;
  branchCount: number | null;
  lastFetchedAt: string | null;
  lastError: { reason: string; message: string } | null;
  fetch: Fetch | null;
  createdAt: string;
  updatedAt: string;
}

export interface Person {
  name: string;
  email: string;
  date: string;
}

export interface Commit {
  sha: string;
  parents: string[];
  author: Person;
  committer: Person;
  message: string;
  messageTruncated?: boolean;
}

export interface CommitPage {
  projectId: string;
  totalCount: number;
  items: Commit[];
  nextCursor: string | null;
  /** a comparison's: commits head has that base has not, and the other way round */
  aheadBy?: number;
  behindBy?: number;
  /** false for a first look: a first fetch's newest commits while it runs, totalCount the number known so far */
  complete: boolean;
}

/** An author of a project's commits, for suggestions. */
export interface Author {
  name: string;
  email: string;
  commitCount: number;
}

/** A branch or a tag: the commit it names (a tag's, peeled) and the commits of its history, when counted. */
export interface Branch {
  name: string;
  tip: string;
  commitCount?: number;
}

/** A project's branches and tags; tags on a tree or a blob, or past the service's limit, are only counted. */
export interface Refs {
  branches: Branch[];
  tags: Branch[];
  skippedTags: number;
}

/** An error answer (RFC 9457), as the services and the gateway send it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  reason?: string;
  requestId?: string;
  /** ambiguous-sha: the commits a short sha could be */
  candidates?: string[];
}

/** The filters of a commit listing; every one optional. */
export interface CommitFilter {
  branch?: string;
  /** a branch or a sha, full or short (git log REF) */
  ref?: string;
  /** a comparison: what head has that base has not (git log BASE..HEAD) */
  base?: string;
  head?: string;
  /** text the message contains (git log -i -F --grep) */
  q?: string;
  /** text "Name <email>" contains (git log -i -F --author / --committer) */
  author?: string;
  committer?: string;
  /** ISO-8601 instants, as the API takes them */
  since?: string;
  until?: string;
}

/** A request the API refused or could not answer; `message` is for a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    message: string,
  ) {
    super(message);
  }

  /** The problem's slug: "invalid-url" for "/problems/invalid-url". */
  get slug(): string {
    return (this.problem.type ?? "").replace(/^.*\/problems\//, "");
  }
}

/** The first fetch of a project has not ended yet (202 from commit-service); try after `retryAfter` s. */
export class NotFetchedYet extends Error {
  constructor(readonly retryAfter: number) {
    super("The repository has not been fetched yet.");
  }
}

const URL_REASONS: Record<string, string> = {
  "blank-url": "Enter a repository URL.",
  "url-too-long": "That URL is too long to be a repository's.",
  "control-characters": "The URL contains invisible control characters; paste it again.",
  whitespace: "The URL contains spaces; repository URLs have none.",
  "looks-like-option": "A URL cannot start with '-'.",
  "scheme-not-allowed": "Use an https:// address (or owner/name, or git@github.com:owner/name).",
  "credentials-in-url": "Leave the user name and password out of the URL: only public repositories are fetched.",
  "port-not-allowed": "That port is not allowed: use the host's usual address.",
  "host-not-allowed": "Only repositories on the hosts this service allows can be added (GitHub unless configured otherwise).",
  "query-or-fragment": "Leave out everything after '?' or '#'.",
  "encoded-characters": "Percent-encoded characters (%xx) are not allowed in a repository URL.",
  "invalid-path": "The address must name a repository: https://github.com/{owner}/{repository}.",
  "invalid-owner": "That owner name is not a valid GitHub user or organisation name.",
  "invalid-repository": "That repository name is not valid.",
};

const FAILURES: Record<string, string> = {
  REPOSITORY_NOT_FOUND: "The repository does not exist, or it is private.",
  ACCESS_DENIED: "The repository is private or asks for credentials; only public repositories can be fetched.",
  TIMEOUT: "Fetching took too long; a refresh may succeed.",
  TOO_LARGE: "The repository is larger than this service accepts.",
  UNREACHABLE: "The repository's host could not be reached; a refresh may succeed.",
  GIT_ERROR: "git failed while fetching; a refresh may succeed.",
  INTERNAL: "This service failed while fetching; a refresh may succeed.",
  INVALID_URL: "The repository URL is not allowed.",
  INVALID_REPOSITORY: "The repository's history cannot be read as commits (damaged or hostile).",
  DISK_FULL: "This service's disk is full; it will try again.",
  RATE_LIMITED: "The git host asked to slow down; it will try again.",
  PROJECT_DELETED: "The project was deleted before its fetch started.",
};

const UNAUTHORIZED = "Adding, refreshing and deleting need an API key here: enter yours under “API key”.";

/** Why a fetch failed, in words. */
export function failureInWords(reason: string | null | undefined): string {
  return (reason && FAILURES[reason]) ?? "The fetch failed.";
}

/** A problem answer in words: what went wrong and what to do, never a bare code. */
export function problemInWords(status: number, problem: Problem, retryAfter: number | null): string {
  const slug = (problem.type ?? "").replace(/^.*\/problems\//, "");
  switch (slug) {
    case "invalid-url":
      return URL_REASONS[problem.reason ?? ""] ?? `That is not a repository URL: ${problem.detail ?? "refused"}.`;
    case "unauthorized":
      return UNAUTHORIZED;
    case "forbidden":
      return "Your API key may not do this: only the key that added a project, or an admin key, may delete it.";
    case "rate-limited":
    case "quota-exceeded":
      return `Too many requests: wait ${retryAfter ?? 1} s and try again.`;
    case "overloaded":
      return `The service is busy: try again in ${retryAfter ?? 1} s.`;
    case "gateway-unavailable":
    case "project-service-unavailable":
      return "The service is not answering right now: try again in a moment.";
    case "project-not-found":
      return "There is no such project (it may have been deleted).";
    case "commit-not-found":
      return "This commit is not on any branch any more: a refresh no longer found it (force-push or deleted branch), or it was never in this repository.";
    case "branch-not-found":
      return "The repository has no such branch (any more).";
    case "ref-not-found":
      return `No branch or commit by that name: ${problem.detail ?? ""}`.trim();
    case "invalid-ref":
      return `That is not a branch name or a commit sha: ${problem.detail ?? ""}`.trim();
    case "ambiguous-sha":
      return "Several commits start with these digits: give more of them.";
    case "fetch-failed":
      return failureInWords(problem.reason);
    case "payload-too-large":
      return "That is too long.";
    case "invalid-parameter":
    case "validation":
      return problem.detail ? `${problem.detail[0]?.toUpperCase()}${problem.detail.slice(1)}` : "A value is not valid.";
    default:
      if (status === 401) return UNAUTHORIZED;
      if (status >= 500) return "The service failed to answer; try again in a moment.";
      return problem.detail ?? problem.title ?? `The request failed (HTTP ${status}).`;
  }
}

/** How long to wait before retrying (Retry-After in seconds), bounded. */
function retryAfterOf(response: Response): number | null {
  const value = response.headers.get("Retry-After");
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 60) : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Api {
  constructor(
    private readonly key: () => string | null,
    private readonly base = "",
  ) {}

  /**
   * One call. Reads that meet the gateway's rate limit (429) wait its Retry-After and try again,
   * up to three times; writes are never repeated behind the user's back.
   */
  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const write = method !== "GET";
    const key = write ? this.key() : null;
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ApiError(0, {}, "The service cannot be reached: check your connection and try again.");
      }
      if (response.status === 429 && !write && attempt < 3) {
        await sleep(1000 * (retryAfterOf(response) ?? 1));
        continue;
      }
      if (response.ok || response.status === 304) return response;
      let problem: Problem = {};
      try {
        problem = (await response.json()) as Problem;
      } catch {
        // a body that is not JSON (a proxy's page): the status says enough
      }
      throw new ApiError(response.status, problem, problemInWords(response.status, problem, retryAfterOf(response)));
    }
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.call(method, path, body);
    return (await response.json()) as T;
  }

  /** Projects, newest first, one page (the API's order). */
  projects(cursor?: string): Promise<{ items: Project[]; nextCursor: string | null }> {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    return this.json("GET", `/api/projects?${query}`);
  }

  project(id: string): Promise<Project> {
    return this.json("GET", `/api/projects/${encodeURIComponent(id)}`);
  }

  /** Adds a repository (200 when it was there already: the same project). */
  add(url: string): Promise<Project> {
    return this.json("POST", "/api/projects", { url });
  }

  /**
   * Asks for a refresh: queued (202), or not (200: a fetch runs or ended too recently, and
   * `retryAfter` says when a refresh would be taken).
   */
  async refresh(id: string): Promise<{ project: Project; queued: boolean; retryAfter: number | null }> {
    const response = await this.call("POST", `/api/projects/${encodeURIComponent(id)}/refresh`);
    return { project: (await response.json()) as Project, queued: response.status === 202, retryAfter: retryAfterOf(response) };
  }

  async remove(id: string): Promise<void> {
    await this.call("DELETE", `/api/projects/${encodeURIComponent(id)}`);
  }

  /** One page of commits, newest first; NotFetchedYet while the first fetch runs. */
  async commits(id: string, filter: CommitFilter, cursor: string | null, limit = 100): Promise<CommitPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [name, value] of Object.entries(filter)) {
      if (value) query.set(name, value);
    }
    if (cursor) query.set("cursor", cursor);
    return this.pending(`/api/projects/${encodeURIComponent(id)}/commits?${query}`);
  }

  commit(id: string, sha: string): Promise<Commit> {
    return this.pending(`/api/projects/${encodeURIComponent(id)}/commits/${encodeURIComponent(sha)}`);
  }

  /** Authors whose name or email starts with the prefix, most commits first. */
  authors(id: string, prefix: string, limit = 10): Promise<Author[]> {
    const query = new URLSearchParams({ prefix, limit: String(limit) });
    return this.pending(`/api/projects/${encodeURIComponent(id)}/authors?${query}`);
  }

  /** The branches and the tags, each by name: what the ref picker offers. */
  refs(id: string): Promise<Refs> {
    return this.pending(`/api/projects/${encodeURIComponent(id)}/refs`);
  }

  private async pending<T>(path: string): Promise<T> {
    const response = await this.call("GET", path);
    if (response.status === 202) throw new NotFetchedYet(retryAfterOf(response) ?? 2);
    return (await response.json()) as T;
  }

  /** The project's live events (SSE): every change of the project until its fetch ends. */
  events(id: string): EventSource {
    return new EventSource(`${this.base}/api/projects/${encodeURIComponent(id)}/events`);
  }
}

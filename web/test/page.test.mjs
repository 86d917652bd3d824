// The page in a real browser (Debian's Chromium through playwright-core) against a running stack
// with API keys on and repositories on the loopback git server: what a person does, checked
// against git itself. The tests run in order; each builds on what the one before left.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { addCommits, git, launch, lines, openPage, releaseFullFetches, repositoryUrl, screenshot, seriousViolations, settings } from "./support.mjs";

const ROW_HEIGHT = 56;
const WAIT = { timeout: 180_000 };

let browser;
let page;
const projects = {}; // owner/name -> id
const timings = {};

/** Every row of the commit list, scrolled through from the top: the shas in the order shown. */
async function scrollThroughCommits(target, total, listed = total) {
  return target.evaluate(
    async ({ total, listed, rowHeight }) => {
      const list = document.querySelector(".commit-list");
      const shas = [];
      const top = list.getBoundingClientRect().top + window.scrollY;
      const step = Math.max(1, Math.floor(window.innerHeight / rowHeight) - 1);
      const deadline = Date.now() + 170_000;
      for (let first = 0; first < total; first += step) {
        window.scrollTo(0, top + first * rowHeight);
        const last = Math.min(total, first + step) - 1;
        for (let index = first; index <= last; ) {
          const row = list.querySelector(`[data-index="${index}"][data-sha]`);
          if (row) {
            shas[index] = row.dataset.sha;
            index++;
            continue;
          }
          if (document.querySelector(".list-failure")) throw new Error(document.querySelector(".list-failure").textContent);
          if (Date.now() > deadline) throw new Error(`row ${index} never showed a commit`);
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
        // the list is as tall as every commit it lists from the start: nothing jumps (its laid-out height: the style
        // attribute reads 1.11586e+06px for 1,115,856 px)
        const height = list.getBoundingClientRect().height;
        if (Math.abs(height - listed * rowHeight) >= 1) throw new Error(`the list's height is ${height}px, not ${listed * rowHeight}px`);
      }
      return shas;
    },
    { total, listed, rowHeight: ROW_HEIGHT },
  );
}

/** The shas of the first `count` rows (they are on screen, or scrolled to). */
async function firstRows(count) {
  const total = await totalShown();
  return scrollThroughCommits(page, Math.min(count, total), total);
}

async function totalShown() {
  const text = await page.locator("#commit-total").textContent(WAIT);
  return Number(text.match(/^[\d,]+/)[0].replace(/,/g, ""));
}

async function expectNoSeriousViolations(view) {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `accessibility (axe-core) on ${view}`);
}

/** Screenshots of the current view at 1280 px and 375 px wide, in light and dark at 1280. */
async function screenshots(name) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, name);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(settings.output, `${name}-1280-dark.png`) });
  await expectNoSeriousViolations(`${name} (dark)`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, name);
  await expectNoSeriousViolations(`${name} at 375 px`);
  for (const width of [375, 320]) {
    await page.setViewportSize({ width, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} at ${width} px scrolls sideways by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function home() {
  await page.goto("/#/");
  await page.locator(".project-list[aria-busy=false]").waitFor(WAIT);
}

async function addRepository(url) {
  await page.fill("#repository-url", url);
  await page.click("form.add button[type=submit]");
}

async function saveKey(key) {
  if (!(await page.locator("#key-panel").evaluate((panel) => panel.open))) await page.locator("#key-panel summary").click();
  await page.fill("#api-key", key);
  await page.click(".key-form button[type=submit]");
  await page.locator(".key-state", { hasText: "saved" }).waitFor({ state: "attached" });
  assert.equal(await page.locator("#key-panel").evaluate((panel) => panel.open), false, "the panel closes");
}

describe("the web page", () => {
  before(async () => {
    // projects of these repositories left by an earlier run against the same stack go first
    for (const ownerName of [settings.large, settings.small, "web/no-such-repository"]) {
      const found = await fetch(`${settings.gateway}/api/projects?url=${encodeURIComponent(repositoryUrl(ownerName))}`);
      if (found.status === 200) {
        const { id } = await found.json();
        const deleted = await fetch(`${settings.gateway}/api/projects/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${settings.apiKey}` } });
        assert.equal(deleted.status, 204, `deleting ${ownerName}'s project left by an earlier run`);
      }
    }
    browser = await launch();
    page = await openPage(browser);
  });

  after(async () => {
    writeFileSync(join(settings.output, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
    await browser?.close();
  });

  test("an empty service says what to do", async () => {
    await home();
    const state = await page.locator(".project-list").textContent();
    assert.match(state, /No repositories yet|\//); // empty, or projects left by an earlier run
    assert.equal(await page.title(), "Commit Viewer");
    await expectNoSeriousViolations("the empty list");
  });

  test("adding without an API key says that one is needed, in words", async () => {
    await addRepository(repositoryUrl(settings.large));
    const problem = page.locator("#add-problem");
    await problem.filter({ hasText: "need an API key" }).waitFor();
    assert.equal(await page.getAttribute("#repository-url", "aria-invalid"), "true");
    assert.equal(await page.locator("#key-panel").getAttribute("open"), "", "the key panel opens");
    await screenshots("add-needs-key");
  });

  test("an invalid URL's reason is shown next to the field", async () => {
    await saveKey(settings.apiKey);
    await addRepository("https://github.com/owner/name?tab=readme");
    await page.locator("#add-problem", { hasText: "Leave out everything after '?' or '#'." }).waitFor();
    await addRepository("ftp://github.com/owner/name");
    await page.locator("#add-problem", { hasText: "Use an https:// address" }).waitFor();
    assert.equal(await page.locator("#repository-url").evaluate((input) => input === document.activeElement), true, "focus back on the field");
    await screenshots("add-invalid-url");
  });

  test("a repository added from the page is fetched, with progress, to READY", async () => {
    const started = Date.now();
    await addRepository(repositoryUrl(settings.large));
    const card = page.locator(".card", { hasText: settings.large });
    await card.waitFor();
    projects[settings.large] = await card.getAttribute("data-project");
    assert.equal(await page.inputValue("#repository-url"), "", "the field is cleared");
    // the project's own view, opened at once in another tab, says the commits are on their way,
    // then shows them without a reload when the fetch ends
    const early = await openPage(browser);
    await early.goto(`/#/p/${projects[settings.large]}`);
    // (or, once its shallow clone is in, a first look at the newest commits: the held repository's test below)
    await early.locator('.state.pending:has-text("The first fetch has not ended yet"), #commit-total:has-text("A first look")').first().waitFor(WAIT);
    await early.screenshot({ path: join(settings.output, "commits-pending-1280.png") });
    // a second repository added while the first fetches: the list is made anew, and both cards
    // must still follow their fetches live
    await addRepository(repositoryUrl(settings.small));
    const small = page.locator(".card", { hasText: settings.small });
    await small.waitFor();
    projects[settings.small] = await small.getAttribute("data-project");
    const seen = new Set();
    const deadline = Date.now() + WAIT.timeout;
    while ((await card.getAttribute("data-status")) !== "READY") {
      seen.add(await card.getAttribute("data-status"));
      const progress = await card.locator(".progress").textContent({ timeout: 1000 }).catch(() => null);
      if (progress) seen.add(progress.replace(/\d[\d,]*/g, "N"));
      assert.ok(Date.now() < deadline, "READY in time");
      await page.waitForTimeout(100);
    }
    timings.largeReadyMs = Date.now() - started;
    await early.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    assert.deepEqual(early.errors, []);
    await early.context().close();
    const expected = lines(git(settings.large, "rev-list", "--branches")).length;
    await card.locator(".counts", { hasText: `${expected.toLocaleString("en")} commits` }).waitFor();
    assert.ok([...seen].some((text) => /^(Queued|Fetching)/.test(text)), `progress was shown in words: ${[...seen].join(" | ")}`);
    await page.locator(`.card[data-project="${projects[settings.small]}"][data-status=READY]`).waitFor(WAIT);
    await expectNoSeriousViolations("the projects");
    await screenshots("projects");
  });

  test("while a first fetch runs, the newest commits are on screen as a first look, then the exact list", async () => {
    const newest = lines(git(settings.held, "rev-list", "--branches", "-n", "100"));
    const all = lines(git(settings.held, "rev-list", "--branches"));
    const started = Date.now();
    await home();
    await addRepository(repositoryUrl(settings.held));
    const card = page.locator(".card", { hasText: settings.held });
    await card.waitFor();
    const id = await card.getAttribute("data-project");
    await page.goto(`/#/p/${id}`);
    // the whole clone is held at the git server: what shows is the first look, from the shallow one
    await page.locator("#commit-total", { hasText: "A first look: the newest 100 commits" }).waitFor(WAIT);
    timings.heldFirstLookMs = Date.now() - started;
    const during = await (await fetch(`${settings.gateway}/api/projects/${id}`)).json();
    assert.equal(during.status, "FETCHING", "the whole fetch still runs");
    assert.equal(during.fetch.firstLook, true, "the project says a first look is served");
    const shown = await scrollThroughCommits(page, 100);
    assert.deepEqual(shown, newest, "the first look is git rev-list --branches -n 100, in order");
    await screenshots("commits-first-look");
    await releaseFullFetches(settings.held);
    await page.locator("#commit-total", { hasText: `${all.length.toLocaleString("en")} commits on all branches` }).waitFor(WAIT);
    assert.deepEqual(await firstRows(150), all.slice(0, 150), "then the exact list, without a reload");
    await home();
  });

  test("a repository that does not exist ends FAILED, said in words", async () => {
    await addRepository(repositoryUrl("web/no-such-repository"));
    const card = page.locator(".card", { hasText: "web/no-such-repository" });
    await card.waitFor();
    await page.locator('.card[data-status="FAILED"]', { hasText: "web/no-such-repository" }).waitFor(WAIT);
    await card.locator(".problem", { hasText: "The repository does not exist, or it is private." }).waitFor();
    const id = await card.getAttribute("data-project");
    await page.goto(`/#/p/${id}`);
    await page.locator(".state.failed", { hasText: "does not exist, or it is private" }).waitFor(WAIT);
    await expectNoSeriousViolations("a failed project");
    await screenshots("project-failed");
    await home();
  });

  test("scrolled to its last commit, the list shows exactly git rev-list --branches, in order", async () => {
    const expected = lines(git(settings.large, "rev-list", "--branches"));
    const opened = Date.now();
    await page.click(`.card[data-project="${projects[settings.large]}"] a.name`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    timings.firstRowsMs = Date.now() - opened;
    assert.match(page.url(), new RegExp(`#/p/${projects[settings.large]}$`));
    assert.equal(await totalShown(), expected.length);
    await expectNoSeriousViolations("the commits");
    await screenshots("commits");
    // a row's copy button puts its full sha on the clipboard
    const firstRow = page.locator('.commit-list .row[data-index="0"]');
    await firstRow.locator("button.copy").click();
    await firstRow.locator("button.copy", { hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected[0]);
    const started = Date.now();
    const shown = await scrollThroughCommits(page, expected.length);
    timings.scrollAllMs = Date.now() - started;
    timings.scrolledCommits = shown.length;
    assert.equal(shown.length, expected.length, "every commit has a row");
    assert.deepEqual(shown, expected, "the rows are git rev-list --branches, in order");
    const rendered = await page.locator(".commit-list .row").count();
    assert.ok(rendered < 200, `only the rows near the screen are in the document (${rendered})`);
    await screenshots("commits-end");
    // back at the top, the rows are in list order in the document, so Tab walks down the list
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.commit-list .row[data-index="0"][data-sha]').waitFor();
    const order = await page.locator(".commit-list .row").evaluateAll((rows) => rows.map((row) => Number(row.dataset.index)));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), "rows in document order");
    await page.locator('.commit-list .row[data-index="0"] a.message').focus();
    await page.keyboard.press("Tab"); // its copy button
    await page.keyboard.press("Tab"); // the next row's message
    assert.equal(await page.evaluate(() => document.activeElement?.closest(".row")?.dataset.index), "1");
  });

  test("back from a commit, the list is as it was: scrolled to the same row, nothing read again", async () => {
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await scrollThroughCommits(page, 320, await totalShown());
    const row = page.locator('.commit-list .row[data-index="300"]');
    await row.scrollIntoViewIfNeeded();
    const sha = await row.getAttribute("data-sha");
    const scrolled = await page.evaluate(() => window.scrollY);
    assert.ok(scrolled > 300 * ROW_HEIGHT - 1000, `scrolled down (${scrolled})`);
    await row.locator("a.message").click();
    await page.locator(`.commit code.sha[data-sha="${sha}"]`).waitFor(WAIT);
    const reads = [];
    const record = (request) => request.url().includes("/commits?") && reads.push(request.url());
    page.on("request", record);
    await page.click("p.back a");
    await page.locator('.commit-list .row[data-index="300"][data-sha]').waitFor(WAIT);
    page.off("request", record);
    assert.equal(await page.evaluate(() => window.scrollY), scrolled, "the same scroll position");
    assert.equal(await page.locator('.commit-list .row[data-index="300"]').getAttribute("data-sha"), sha);
    assert.deepEqual(reads, [], "no page read again");
  });

  test("filtered by branch, the list is that branch's history and the address keeps the filter", async () => {
    const branches = lines(git(settings.large, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"));
    const branch = branches.find((name) => name !== "main") ?? branches[0];
    await page.locator(`#filter-branch option[value="${branch}"]`).waitFor({ state: "attached" });
    await page.selectOption("#filter-branch", branch);
    await page.click(".filters button[type=submit]");
    await page.waitForURL(new RegExp(`\\?branch=${encodeURIComponent(branch)}$`));
    await page.locator("#commit-total", { hasText: `on ${branch}` }).waitFor();
    const expected = lines(git(settings.large, "rev-list", `refs/heads/${branch}`));
    assert.equal(await totalShown(), expected.length);
    assert.deepEqual(await firstRows(300), expected.slice(0, 300));
    // the link alone reproduces the view
    const link = page.url();
    const other = await openPage(browser);
    await other.goto(link);
    await other.locator("#commit-total", { hasText: `on ${branch}` }).waitFor(WAIT);
    assert.equal(await other.inputValue("#filter-branch"), branch);
    await other.context().close();
    await screenshots("commits-branch");
  });

  test("filtered by author, the list is that author's commits", async () => {
    const log = lines(git(settings.large, "log", "--branches", "--format=%H%x09%ae%x09%an"));
    const email = log[0].split("\t")[1];
    const expected = log.filter((line) => line.split("\t")[1] === email || line.split("\t")[2] === email).map((line) => line.split("\t")[0]);
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await page.fill("#filter-author", email);
    await page.press("#filter-author", "Enter");
    await page.waitForURL(/author=/);
    await page.locator("#commit-total", { hasText: "matching the filters" }).waitFor();
    assert.equal(await totalShown(), expected.length);
    assert.deepEqual(await firstRows(200), expected.slice(0, 200));
    assert.ok(page.url().includes(`author=${encodeURIComponent(email)}`), page.url());
    await screenshots("commits-author");
  });

  test("a search lists exactly git log --grep, '/' focuses it, and the address keeps it", async () => {
    const expected = lines(git(settings.large, "rev-list", "--branches", "-i", "-F", "--grep=fix"));
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await page.locator("body").press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "filter-q", "'/' focuses the search box");
    await page.keyboard.type("FIX");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\?q=FIX$/);
    await page.locator("#commit-total", { hasText: "matching the filters" }).waitFor(WAIT);
    assert.equal(await totalShown(), expected.length);
    assert.deepEqual(await firstRows(150), expected.slice(0, 150));
    const other = await openPage(browser);
    await other.goto(page.url());
    await other.locator("#commit-total", { hasText: "matching the filters" }).waitFor(WAIT);
    assert.equal(await other.inputValue("#filter-q"), "FIX");
    await other.context().close();
    await screenshots("commits-search");
  });

  test("a sha in the search box opens that commit; several commits for its digits are offered", async () => {
    const all = lines(git(settings.large, "rev-list", "--branches"));
    const sha = all[42];
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await page.fill("#filter-q", sha.slice(0, 9).toUpperCase());
    await page.press("#filter-q", "Enter");
    await page.waitForURL(new RegExp(`/c/${sha.slice(0, 9)}$`));
    await page.locator(`.commit code.sha[data-sha="${sha}"]`).waitFor(WAIT);
    const byPrefix = new Map();
    for (const commit of all) byPrefix.set(commit.slice(0, 4), [...(byPrefix.get(commit.slice(0, 4)) ?? []), commit]);
    const [prefix, shared] = [...byPrefix.entries()].find(([, shas]) => shas.length > 1) ?? [];
    if (prefix) {
      await page.goto(`/#/p/${projects[settings.large]}/c/${prefix}`);
      await page.locator(".candidates a").first().waitFor(WAIT);
      const offered = await page.locator(".candidates a").evaluateAll((links) => links.map((a) => a.dataset.candidate));
      assert.deepEqual([...offered].sort(), [...shared].sort());
    }
  });

  test("the compare view lists exactly git log base..head, with how far ahead and behind", async () => {
    const branches = lines(git(settings.large, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"));
    const tags = new Set(lines(git(settings.large, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/")));
    const head = branches.find((name) => name !== "main" && !tags.has(name)); // a name that is also a tag names the tag
    const expected = lines(git(settings.large, "rev-list", `main..${head}`));
    const behind = lines(git(settings.large, "rev-list", `${head}..main`)).length;
    await page.goto(`/#/p/${projects[settings.large]}/compare/main...${encodeURIComponent(head)}`);
    await page.locator("#commit-total", { hasText: "ahead" }).waitFor(WAIT);
    const text = await page.locator("#commit-total").textContent();
    assert.ok(text.includes(`${head} is ${expected.length.toLocaleString("en")} ahead of main, ${behind.toLocaleString("en")} behind`), text);
    assert.equal(await totalShown(), expected.length);
    assert.deepEqual(await firstRows(100), expected.slice(0, 100));
    await screenshots("commits-compare");
  });

  test("a tag picked in the ref picker lists exactly git log TAG, and the address keeps it", async () => {
    // v9.9 names commits of a deleted branch: only the tag reaches them, so the default list never shows them
    const expected = lines(git(settings.large, "rev-list", "refs/tags/v9.9"));
    const onBranches = new Set(lines(git(settings.large, "rev-list", "--branches")));
    assert.ok(!onBranches.has(expected[0]), "the tag's newest commit is on no branch");
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator('#filter-branch optgroup[label="Tags"] option[value="tag:v9.9"]').waitFor({ state: "attached", ...WAIT });
    const offered = await page.locator('#filter-branch optgroup[label="Tags"] option').evaluateAll((options) => options.map((o) => o.value));
    const tagsOnCommits = lines(git(settings.large, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/"))
      .filter((name) => git(settings.large, "cat-file", "-t", `refs/tags/${name}^{}`).trim() === "commit")
      .map((name) => `tag:${name}`);
    assert.deepEqual(offered, tagsOnCommits, "every tag on a commit, by name; those on a tree or a blob left out");
    await page.selectOption("#filter-branch", "tag:v9.9");
    await page.click(".filters button[type=submit]");
    await page.waitForURL(/\?ref=v9\.9$/);
    await page.locator("#commit-total", { hasText: "on v9.9" }).waitFor(WAIT);
    assert.equal(await totalShown(), expected.length);
    assert.deepEqual(await firstRows(100), expected.slice(0, 100));
    // the link alone reproduces the view, with the tag picked
    const other = await openPage(browser);
    await other.goto(page.url());
    await other.locator("#commit-total", { hasText: "on v9.9" }).waitFor(WAIT);
    assert.equal(await other.inputValue("#filter-branch"), "tag:v9.9");
    await other.context().close();
  });

  test("author suggestions come from the project's people as they are typed", async () => {
    const people = new Set(lines(git(settings.large, "log", "--branches", "--format=%ae")));
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    const first = [...people][0];
    await page.locator("#filter-author").pressSequentially(first.split("@")[0]);
    await page.locator("#author-suggestions option").first().waitFor({ state: "attached", ...WAIT });
    const offered = await page.locator("#author-suggestions option").evaluateAll((options) => options.map((o) => o.value));
    assert.ok(offered.includes(first), `${first} in ${offered}`);
    assert.ok(offered.every((email) => people.has(email)), "only the project's people");
    await page.fill("#filter-author", ""); // typed, never applied: the next test starts from this view
  });

  test("filtered by dates, the list is the commits of those days", async () => {
    const log = lines(git(settings.large, "log", "--branches", "--format=%H %ct"));
    const day = new Date(Number(log[Math.min(500, log.length - 1)].split(" ")[1]) * 1000).toISOString().slice(0, 10);
    const start = Date.parse(`${day}T00:00:00Z`);
    const end = start + 86_400_000 - 1;
    const expected = log
      .map((line) => line.split(" "))
      .filter(([, seconds]) => Number(seconds) * 1000 >= start && Number(seconds) * 1000 <= end)
      .map(([sha]) => sha);
    await page.goto(`/#/p/${projects[settings.large]}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await page.fill("#filter-since", day);
    await page.fill("#filter-until", day);
    await page.click(".filters button[type=submit]");
    await page.waitForURL(new RegExp(`since=${day}&until=${day}$`));
    await page.locator("#commit-total", { hasText: "matching the filters" }).waitFor();
    assert.equal(await totalShown(), expected.length, `commits committed on ${day} (UTC)`);
    assert.ok(expected.length > 0 && expected.length < log.length, `${day} holds some of the commits, not all`);
    assert.deepEqual(await firstRows(200), expected.slice(0, 200));
    await screenshots("commits-dates");
  });

  test("a commit opens with its message, people and parents, and a parent is a link", async () => {
    await page.goto(`/#/p/${projects[settings.large]}`);
    // a merge, so that it has two parents to show
    const merge = git(settings.large, "rev-list", "--branches", "--merges", "-1").trim();
    await page.goto(`/#/p/${projects[settings.large]}/c/${merge}`);
    await page.locator(`.commit code.sha[data-sha="${merge}"]`).waitFor(WAIT);
    assert.equal((await page.locator(".commit h1").textContent()).trim(), git(settings.large, "log", "-1", "--format=%s", merge).trim());
    const parents = lines(git(settings.large, "rev-parse", `${merge}^@`));
    const linked = await page.locator(".parents a").evaluateAll((links) => links.map((link) => link.dataset.parent));
    assert.deepEqual(linked, parents);
    const author = git(settings.large, "log", "-1", "--format=%an <%ae>", merge).trim();
    assert.ok((await page.locator(".details").textContent()).includes(author), "the author is shown");
    await expectNoSeriousViolations("a commit");
    await screenshots("commit");
    await page.click(`.parents a[data-parent="${parents[1]}"]`);
    await page.locator(`.commit code.sha[data-sha="${parents[1]}"]`).waitFor(WAIT);
    assert.ok(page.url().endsWith(`/c/${parents[1]}`));
    // by keyboard: after a navigation the focus is on the new view's heading
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1");
    await page.locator(".parents a").first().focus();
    await page.keyboard.press("Enter");
    await page.locator(`.commit code.sha[data-sha="${lines(git(settings.large, "rev-parse", `${parents[1]}^@`))[0]}"]`).waitFor(WAIT);
  });

  test("a refresh after new commits shows them first", async () => {
    const id = projects[settings.small];
    const before = lines(git(settings.small, "rev-list", "--branches")).length;
    await page.goto(`/#/p/${id}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    assert.equal(await totalShown(), before);
    const added = addCommits(settings.small, "main", 3);
    await page.click(".project-head .actions button:text('Refresh')");
    await page.locator(".note", { hasText: "Refresh asked for" }).waitFor();
    await page.locator("#commit-total", { hasText: `${(before + 3).toLocaleString("en")} commits` }).waitFor(WAIT);
    assert.deepEqual(await firstRows(5), lines(git(settings.small, "rev-list", "--branches")).slice(0, 5));
    assert.deepEqual((await firstRows(3)), added);
    await screenshots("commits-refreshed");
  });

  test("a commit a force-push removed says it is not on any branch any more", async () => {
    const id = projects[settings.small];
    const [newest, , third] = lines(git(settings.small, "rev-list", "refs/heads/main"));
    const gone = newest;
    git(settings.small, "update-ref", "refs/heads/main", third);
    assert.ok(!lines(git(settings.small, "rev-list", "--branches")).includes(gone));
    await page.goto(`/#/p/${id}`);
    await page.locator(".commit-list [data-sha]").first().waitFor(WAIT);
    await page.click(".project-head .actions button:text('Refresh')");
    await page.locator("#commit-total", { hasText: `${lines(git(settings.small, "rev-list", "--branches")).length.toLocaleString("en")} commits` }).waitFor(WAIT);
    await page.goto(`/#/p/${id}/c/${gone}`);
    await page.locator(".commit h1", { hasText: "Not on any branch any more" }).waitFor(WAIT);
    await expectNoSeriousViolations("a commit no longer on a branch");
    await screenshots("commit-gone");
  });

  test("delete asks in the page, then the project is gone", async () => {
    const id = projects[settings.small];
    await home();
    const card = page.locator(`.card[data-project="${id}"]`);
    await card.locator("button:text('Delete')").click();
    await card.locator("button:text('Keep it')").click();
    await card.locator("button:text('Delete')").click();
    await card.locator(`button:text('Delete ${settings.small.split("/")[1]}')`).click();
    await card.waitFor({ state: "detached", ...WAIT });
    const answer = await page.evaluate(async (projectId) => (await fetch(`/api/projects/${projectId}`)).status, id);
    assert.equal(answer, 404);
  });

  test("an address that names nothing says so, even a mangled one", async () => {
    for (const address of ["/#/nowhere", "/#/p/%E0", "/#/p/x/c/%ZZ"]) {
      await page.goto(address);
      await page.locator("h1", { hasText: "Nothing here" }).waitFor();
      assert.equal(await page.locator("main a[href='#/']").count(), 1, `${address} links to the projects`);
    }
  });

  test("keyboard alone: skip link, add form, projects", async () => {
    await home();
    await page.reload();
    await page.locator(".project-list[aria-busy=false]").waitFor(WAIT);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "repository-url");
    await page.keyboard.type("not a url at all");
    await page.keyboard.press("Enter");
    await page.locator("#add-problem:not(:empty)").waitFor();
    assert.deepEqual(page.errors, [], "no script error on any view");
  });
});

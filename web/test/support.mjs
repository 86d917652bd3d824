// What the browser tests share: the settings they are given, Debian's Chromium through
// playwright-core, git on the served repositories, axe-core in the page, screenshots.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    throw new Error(`${name} is not set: the browser tests run against a stack (see web/README.md), e.g. from e2e's WebPageIT`);
  }
  return value;
}

/** The stack and repositories under test (e2e/src/test/java/io/commitviewer/e2e/WebPageIT.java sets them). */
export const settings = {
  /** the gateway: the page at /, the API under /api/ */
  gateway: setting("COMMITVIEWER_WEB_TEST_GATEWAY", "http://127.0.0.1:8080"),
  /** the loopback git server's origin, e.g. http://127.0.0.1:39123 */
  gitOrigin: setting("COMMITVIEWER_WEB_TEST_GIT_ORIGIN"),
  /** the folder it serves: {owner}/{name}.git */
  gitRoot: setting("COMMITVIEWER_WEB_TEST_GIT_ROOT"),
  /** owner/name of a large history (thousands of commits, several branches) and of a small one */
  large: setting("COMMITVIEWER_WEB_TEST_LARGE", "web/history"),
  small: setting("COMMITVIEWER_WEB_TEST_SMALL", "web/small"),
  /** owner/name of a history whose whole clone the git server holds until the suite releases it */
  held: setting("COMMITVIEWER_WEB_TEST_HELD", "web/held"),
  /** the API key the stack accepts (it runs with keys on) */
  apiKey: setting("COMMITVIEWER_WEB_TEST_API_KEY"),
  chromium: setting("COMMITVIEWER_CHROMIUM", "/usr/bin/chromium"),
  output: setting("COMMITVIEWER_WEB_TEST_OUTPUT", new URL("../test-output", import.meta.url).pathname),
};
mkdirSync(settings.output, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: settings.chromium,
    headless: true,
    args: [
      "--no-sandbox", // root, in CI
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A fresh page (its own storage) at a width; every failed request and page error is kept. */
export async function openPage(browser, { width = 1280, height = 800, colorScheme = "light" } = {}) {
  // UTC, so that the date filters' days are the days the test computes from git
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme,
    baseURL: settings.gateway,
    timezoneId: "UTC",
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(String(error)));
  return page;
}

export function repositoryUrl(ownerName) {
  return `${settings.gitOrigin}/${ownerName}`;
}

/** Lets the git server answer the whole clones of a repository it holds (WebPageIT holds settings.held's). */
export async function releaseFullFetches(ownerName) {
  const answer = await fetch(`${settings.gitOrigin}/_control/release/${ownerName}`, { method: "POST" });
  if (!answer.ok) throw new Error(`the git server did not release ${ownerName}: ${answer.status}`);
}

const repositoryDir = (ownerName) => join(settings.gitRoot, `${ownerName.toLowerCase()}.git`);

export function git(ownerName, ...args) {
  return execFileSync("git", ["-C", repositoryDir(ownerName), ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

export function lines(text) {
  return text.split("\n").filter(Boolean);
}

/**
 * Adds `count` commits on top of `branch` in the served repository (as a push would) and returns
 * their shas, newest first; dated after every commit already there, so they list first.
 */
export function addCommits(ownerName, branch, count) {
  let parent = git(ownerName, "rev-parse", `refs/heads/${branch}`).trim();
  const tree = git(ownerName, "rev-parse", `${parent}^{tree}`).trim();
  let when = Number(git(ownerName, "log", "-1", "--format=%ct", "--branches").trim());
  const added = [];
  for (let i = 1; i <= count; i++) {
    when += 60;
    const date = `${when} +0000`;
    parent = execFileSync("git", ["-C", repositoryDir(ownerName), "commit-tree", tree, "-p", parent, "-m", `Web test change ${i} of ${count} on ${branch}`], {
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Web Tester",
        GIT_AUTHOR_EMAIL: "web.tester@example.com",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: "Web Tester",
        GIT_COMMITTER_EMAIL: "web.tester@example.com",
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
    added.unshift(parent);
  }
  git(ownerName, "update-ref", `refs/heads/${branch}`, parent);
  return added;
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page: the violations of impact serious or critical (none expected). */
export async function seriousViolations(page) {
  // evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/** A screenshot of the view at its width, in the test output: {name}-{width}.png. */
export async function screenshot(page, name) {
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(settings.output, `${name}-${width}.png`), fullPage: false });
}

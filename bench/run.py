#!/usr/bin/env python3
"""Commit Viewer benchmarks against the raw-git limit, all in one run (see bench/run.sh)."""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import base64
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FORMAT = "%H%x00%P%x00%an%x00%ae%x00%at%x00%ad%x00%cn%x00%ce%x00%ct%x00%cd%x00%B%x00"
FIXTURE = ["java", "-cp", str(ROOT / "test-support" / "target" / "classes"), "io.commitviewer.testsupport.FixtureTool"]
GATEWAY = "http://127.0.0.1:8080"
# git/git as issue 26 measured it: commits, branches, tags (a history of that shape is built: --first-page-sizes git)
GIT_SIZED = (85_356, 8, 900)
COMMIT_MANAGEMENT = "http://127.0.0.1:9082"


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def timed(*commands, env=None):
    """Wall time of shell-free commands run one after the other."""
    start = time.perf_counter()
    for command in commands:
        if isinstance(command, tuple):
            args, stdout = command
        else:
            args, stdout = command, subprocess.DEVNULL
        subprocess.run(args, check=True, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def http(method, url, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get_json(url):
    status, body = http("GET", url)
    return status, (json.loads(body) if body else None)


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


class Histories:
    """Synthetic histories (git fast-import), built once and kept in bench/out/histories, served on loopback."""

    def __init__(self, port):
        self.port = port
        self.root = OUT / "histories"
        self.root.mkdir(parents=True, exist_ok=True)
        self.server = None

    def ensure(self, size, branches=6):
        name = f"h{size}" if branches == 6 else f"h{size}-b{branches}"
        repo = self.root / name / "history.git"
        if not (repo / "objects").is_dir():
            log(f"building a {size:,}-commit history with {branches} branches (git fast-import)")
            if repo.parent.exists():
                shutil.rmtree(repo.parent)
            run(*FIXTURE, "generate", str(repo), str(size), str(branches), stdout=subprocess.DEVNULL)
        return repo

    def ensure_git_sized(self):
        """A history of git/git's size and shape as issue 26 measured it (85,356 commits, 8 branches), with 900
        annotated tags on its main line as git/git has (~900): built once, as `h85356-b8` plus the tags."""
        repo = self.ensure(GIT_SIZED[0], GIT_SIZED[1])
        if git_out(repo, "tag", "--list").count("\n") < GIT_SIZED[2]:
            mainline = git_out(repo, "rev-list", "--first-parent", "--reverse", "main").split()
            step = max(1, len(mainline) // GIT_SIZED[2])
            stream = []
            for k, sha in enumerate(mainline[step - 1::step][:GIT_SIZED[2]]):
                message = f"Git {k // 100}.{k % 100}.0\n"
                stream.append(f"tag v{k // 100}.{k % 100}.0\nfrom {sha}\ntagger Junio <gitster@example.com> {1_600_000_000 + k * 86_400} +0000\n"
                              f"data {len(message.encode())}\n{message}\n")
            subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input="".join(stream), text=True, check=True)
        return repo

    def copy(self, size, name):
        """A copy that a benchmark may change (new commits), leaving the cached history as it is."""
        target = self.root / name
        if target.exists():
            shutil.rmtree(target)
        run("cp", "-a", "--reflink=auto", str(self.ensure(size).parent), str(target))
        return target / "history.git"

    def alias(self, size, owner, branches=6):
        """Another owner for the same history: a new project for the services, no copy."""
        link = self.root / owner
        if not link.exists():
            link.symlink_to(f"h{size}" if branches == 6 else f"h{size}-b{branches}")
        return self.url(owner)

    def url(self, owner):
        return f"http://127.0.0.1:{self.port}/{owner}/history"

    def serve(self):
        self.log = open(OUT / "serve.log", "w")
        self.server = subprocess.Popen([*FIXTURE, "serve", str(self.root), str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise SystemExit("bench: the loopback git server did not start")

    def close(self):
        if self.server:
            self.server.terminate()
            self.server.wait()
        for link in self.root.iterdir():
            if link.is_symlink():
                link.unlink()


def git_baselines(histories, size, runs, cases):
    url = histories.url(f"h{size}")
    scratch = OUT / "scratch.git"
    results = {}
    plans = {
        "limit": ["git", "clone", "-q", "--bare", "--filter=tree:0", url + ".git", str(scratch)],
        "seed": ["git", "clone", "-q", "--bare", url + ".git", str(scratch)],
    }
    for case in ("limit", "seed"):
        if case not in cases:
            continue
        times = []
        for _ in range(runs):
            shutil.rmtree(scratch, ignore_errors=True)
            times.append(timed(plans[case], ["git", "-C", str(scratch), "log", "--all", "--no-mailmap", "--date=raw", f"--format={FORMAT}"]))
        shutil.rmtree(scratch, ignore_errors=True)
        results[case] = summary(times)
        log(f"{size:,} {case}: median {results[case]['median']:.2f} s")
    if "cli" in cases:
        env = dict(os.environ, COMMITVIEWER_GIT_ALLOWED_ORIGINS=f"internal:http://127.0.0.1:{histories.port}")
        times = [timed([str(ROOT / "bin" / "commit-viewer"), "list-commits", "--format", "ndjson", url], env=env) for _ in range(runs)]
        results["cli"] = summary(times)
        log(f"{size:,} cli: median {results['cli']['median']:.2f} s")
    return results


class MemorySampler(threading.Thread):
    """Samples commit-service's RSS and heap from its Prometheus endpoint while a fetch runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.rss = 0.0
        self.heap = 0.0
        self.stop = threading.Event()

    def sample(self):
        _, text = http("GET", COMMIT_MANAGEMENT + "/actuator/prometheus")
        heap = 0.0
        for line in text.splitlines():
            if line.startswith("process_memory_rss_bytes"):
                self.rss = max(self.rss, float(line.rsplit(" ", 1)[1]))
            elif line.startswith("jvm_memory_used_bytes") and 'area="heap"' in line:
                heap += float(line.rsplit(" ", 1)[1])
        self.heap = max(self.heap, heap)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(0.5)


def create_and_wait(url, timeout=3600):
    status, body = http("POST", GATEWAY + "/api/projects", {"url": url})
    if status not in (200, 202):
        raise SystemExit(f"bench: POST {url} answered {status}: {body}")
    project = json.loads(body)
    return project["id"], wait_for_fetch(project["id"], project["fetch"]["id"], timeout)


def wait_for_fetch(project_id, fetch_id, timeout=3600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, project = get_json(f"{GATEWAY}/api/projects/{project_id}")
        if project["fetch"]["id"] == fetch_id and project["fetch"]["status"] in ("SUCCEEDED", "FAILED"):
            if project["fetch"]["status"] == "FAILED":
                raise SystemExit(f"bench: fetch failed: {project['lastError']}")
            return project
        # 50 ms at first (short fetches), then 250 ms: polling at 20/s for a minute would cost
        # project-service a noticeable share of the two cores the fetch runs on
        time.sleep(0.05 if time.time() - (deadline - timeout) < 5 else 0.25)
    raise SystemExit(f"bench: project {project_id} not ready after {timeout} s")


def delete(project_id):
    http("DELETE", f"{GATEWAY}/api/projects/{project_id}")
    deadline = time.time() + 300
    while time.time() < deadline:
        status, _ = http("GET", f"{GATEWAY}/api/projects/{project_id}/commits?limit=1")
        if status == 404:
            return
        time.sleep(0.2)


def cpu_seconds(part):
    """CPU time (user + system, children included) of a part of the stack, from /proc."""
    pid_file = ROOT / ".local" / "stack" / f"{part}.pid"
    try:
        fields = Path(f"/proc/{pid_file.read_text().split()[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks  # utime, stime, cutime, cstime


PARTS = ("commit-service", "mongo-stand-in", "project-service")


def service_ingest(histories, size, runs, tag):
    times, rates = [], []
    cpu = {part: [] for part in PARTS}
    sampler = MemorySampler()
    sampler.start()
    for k in range(runs):
        url = histories.alias(size, f"{tag}-{size}-{k}")
        before = {part: cpu_seconds(part) for part in PARTS}
        start = time.perf_counter()
        project_id, project = create_and_wait(url)
        elapsed = time.perf_counter() - start
        for part in PARTS:
            cpu[part].append(cpu_seconds(part) - before[part])
        if project["commitCount"] != size:
            raise SystemExit(f"bench: {project['commitCount']} commits stored, the history has {size}")
        times.append(elapsed)
        rates.append(size / elapsed)
        delete(project_id)
    sampler.stop.set()
    sampler.join()
    sampler.sample()
    result = summary(times)
    result["commits_per_s"] = statistics.median(rates)
    result["rss_mib"] = sampler.rss / 2**20
    result["heap_mib"] = sampler.heap / 2**20
    # where the time goes: CPU seconds per run (commit-service includes its git children once they exited)
    result["cpu_s"] = {part: statistics.median(values) for part, values in cpu.items()}
    log(f"{size:,} service: median {result['median']:.2f} s, {result['commits_per_s']:,.0f} commits/s, "
        f"RSS {result['rss_mib']:.0f} MiB, heap {result['heap_mib']:.0f} MiB, CPU s {result['cpu_s']}")
    return result


def proc_cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


def start_commit_service(port, concurrency, stack_env):
    """A commit-service process on the stack's store and broker (HTTP `port`, management `port` +
    1000), with mirrors of its own and `concurrency` consumers, as a replica would run."""
    env = dict(stack_env)
    for line in subprocess.run(["bash", str(ROOT / "scripts" / "local-infra.sh"), "env"], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value
    env.update(PORT=str(port), MANAGEMENT_PORT=str(port + 1000), COMMITVIEWER_CONSUMER_CONCURRENCY=str(concurrency),
               SPRING_MONGODB_URI=f"mongodb://127.0.0.1:{os.environ.get('COMMITVIEWER_MONGO_STANDIN_PORT', '27018')}/commitviewer",
               COMMITVIEWER_CACHE_DIR=str(OUT / f"mirrors-{port}"), COMMITVIEWER_PROJECTS_URL="http://127.0.0.1:8081",
               LOGGING_STRUCTURED_FORMAT_CONSOLE="ecs")
    shutil.rmtree(OUT / f"mirrors-{port}", ignore_errors=True)
    log_path = OUT / f"commit-service-{port}.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(["java", "-Xmx512m", "-jar", str(ROOT / "commit-service" / "target" / "commit-service.jar")],
                                   env=env, stdout=log_file, stderr=subprocess.STDOUT)
    process.log_path = log_path
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: a commit-service on {port} exited; see {log_path}")
        try:
            if http("GET", f"http://127.0.0.1:{port + 1000}/actuator/health/readiness", timeout=2)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_process(process)
    raise SystemExit(f"bench: a commit-service on {port} was not ready in 120 s")


def stop_process(process):
    process.terminate()
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ingest_two(histories, size, tag, label, instances):
    """Two projects of the same history POSTed at once; wall time to both READY, CPU s of each
    process, and which instance fetched each project (from the instances' logs)."""
    urls = [histories.alias(size, f"{tag}-{label}-{size}-{k}") for k in (0, 1)]
    shared = ("mongo-stand-in", "project-service")
    before = {part: cpu_seconds(part) for part in shared}
    before.update({name: proc_cpu_seconds(process.pid) for name, process in instances.items()})
    start = time.perf_counter()
    created = []
    for url in urls:
        status, body = http("POST", GATEWAY + "/api/projects", {"url": url})
        if status not in (200, 202):
            raise SystemExit(f"bench: POST {url} answered {status}: {body}")
        project = json.loads(body)
        created.append((project["id"], project["fetch"]["id"]))
    for project_id, fetch_id in created:
        project = wait_for_fetch(project_id, fetch_id)
        if project["commitCount"] != size:
            raise SystemExit(f"bench: {project['commitCount']} commits stored, the history has {size}")
    elapsed = time.perf_counter() - start
    cpu = {name: proc_cpu_seconds(process.pid) - before[name] for name, process in instances.items()}
    cpu.update({part: cpu_seconds(part) - before[part] for part in shared})
    logs = {name: process.log_path.read_text(errors="replace").splitlines() for name, process in instances.items()}
    fetched_by = {project_id: [name for name, lines in logs.items()
                               if any("Fetch succeeded" in line and f'"projectId":"{project_id}"' in line for line in lines)]
                  for project_id, _ in created}
    for project_id, _ in created:
        delete(project_id)
    return {"seconds": elapsed, "cpu_s": cpu, "fetched_by": fetched_by}


def instances_case(histories, size, tag, stack_env):
    """Two projects' worth of work for one commit-service instance with two consumers (as shipped),
    then for two instances with one consumer each, so that each fetches one project. The stack's
    own commit-service is stopped meanwhile (the ones measured take its port, 8082, and 8083) and
    started again afterwards."""
    pid = (ROOT / ".local" / "stack" / "commit-service.pid").read_text().split()[0]
    subprocess.run(["kill", "-TERM", pid], check=True)
    while Path(f"/proc/{pid}").exists():
        time.sleep(0.2)
    results = {}
    try:
        one = {"commit-service": start_commit_service(8082, 2, stack_env)}
        try:
            ingest_two(histories, size, tag, "warm-one", one)  # each new JVM gets its JIT warm-up first
            results["one"] = ingest_two(histories, size, tag, "one", one)
        finally:
            stop_process(one["commit-service"])
        two = {"commit-service": start_commit_service(8082, 1, stack_env), "commit-service-2": start_commit_service(8083, 1, stack_env)}
        try:
            ingest_two(histories, size, tag, "warm-two", two)
            results["two"] = ingest_two(histories, size, tag, "two", two)
        finally:
            for process in two.values():
                stop_process(process)
    finally:
        run("bash", str(ROOT / "scripts" / "run-local.sh"), "up", env=stack_env, stdout=subprocess.DEVNULL)
    for label in ("one", "two"):
        x = results[label]
        log(f"{size:,} two projects at once, {label} instance(s): {x['seconds']:.2f} s, CPU s {x['cpu_s']}, fetched by {x['fetched_by']}")
    return results


def refresh(histories, size, runs, tag):
    """+100 commits on main, then raw fetch + log of the new commits vs the service's refresh."""
    name = f"{tag}-refresh-{size}"
    repo = histories.copy(size, name)
    raw = OUT / "refresh-raw.git"
    shutil.rmtree(raw, ignore_errors=True)
    url = histories.url(name)
    run("git", "clone", "-q", "--bare", "--filter=tree:0", url + ".git", str(raw), stderr=subprocess.DEVNULL)
    project_id, project = create_and_wait(url)
    raw_times, service_times = [], []
    for _ in range(runs):
        run(*FIXTURE, "add", str(repo), "main", "100", stdout=subprocess.DEVNULL)
        old_tips = subprocess.run(["git", "-C", str(raw), "for-each-ref", "refs/heads", "--format=%(objectname)"],
                                  check=True, capture_output=True, text=True).stdout.split()
        raw_times.append(timed(
            ["git", "-C", str(raw), "fetch", "-q", "--filter=tree:0", "origin", "+refs/heads/*:refs/heads/*"],
            ["git", "-C", str(raw), "log", "--branches", "--no-mailmap", "--date=raw", f"--format={FORMAT}", "--not", *old_tips]))
        start = time.perf_counter()
        status, body = http("POST", f"{GATEWAY}/api/projects/{project_id}/refresh")
        if status != 202:
            raise SystemExit(f"bench: refresh answered {status}: {body}")
        after = wait_for_fetch(project_id, json.loads(body)["fetch"]["id"])
        service_times.append(time.perf_counter() - start)
        expected = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "--branches"],
                                      check=True, capture_output=True, text=True).stdout)
        if after["commitCount"] != expected:
            raise SystemExit(f"bench: refresh left {after['commitCount']} commits, the history has {expected}")
    delete(project_id)
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(repo.parent, ignore_errors=True)
    result = {"raw": summary(raw_times), "service": summary(service_times)}
    log(f"{size:,} refresh +100: raw {result['raw']['median']:.3f} s, service {result['service']['median']:.3f} s")
    return result


def wrk(url, duration, headers=()):
    output = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}", "--latency", *[f"-H{h}" for h in headers], url],
                            check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(p):
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)  # wrk gives up on a request after 2 s; it has no latency then
    return {"rps": rps, "p50_ms": percentile(50), "p99_ms": percentile(99), "non_2xx": int(errors.group(1)) if errors else 0,
            "timeouts": int(timeouts.group(1)) if timeouts else 0}


COMMIT_API = "http://127.0.0.1:8082"
PROFILE = {"on": False}


def stack_pid(part):
    try:
        return int((ROOT / ".local" / "stack" / f"{part}.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def hot_frames(recording, top=12):
    """The frames most often on top of the executing stacks of a JFR recording (self samples), and the
    project's own frames most often anywhere on them (inclusive), as shares of all samples."""
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", str(recording)],
                          check=True, capture_output=True, text=True).stdout
    own, inclusive, samples = {}, {}, 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(.*?line: \d+", event, re.M)
        if not frames:
            continue
        samples += 1
        own[frames[0]] = own.get(frames[0], 0) + 1
        for frame in set(f for f in frames if f.startswith("io.commitviewer.")):
            inclusive[frame] = inclusive.get(frame, 0) + 1

    def ranked(counts):
        return [[name, round(100.0 * n / samples, 1)] for name, n in sorted(counts.items(), key=lambda x: -x[1])[:top]]

    return {"samples": samples, "self": ranked(own), "inclusive": ranked(inclusive)}


def profiled(name, measure):
    """`measure()`, with JDK Flight Recorder on commit-service and the stand-in while it runs (--profile)."""
    if not PROFILE["on"]:
        return measure(), None
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    recordings = {}
    for part in ("commit-service", "mongo-stand-in"):
        pid = stack_pid(part)
        if pid:
            recordings[part] = OUT / f"profile-{slug}-{part}.jfr"
            run("jcmd", str(pid), "JFR.start", f"name=bench-{slug}", "settings=profile", stdout=subprocess.DEVNULL)
    result = measure()
    profile = {}
    for part, recording in recordings.items():
        run("jcmd", str(stack_pid(part)), "JFR.stop", f"name=bench-{slug}", f"filename={recording}", stdout=subprocess.DEVNULL)
        profile[part] = hot_frames(recording)
    return result, profile


def reads(histories, size, duration, tag):
    """Issue 26: wrk on the listings a person asks for (every branch, one branch, an author, a date range, a
    message search; first and deep pages), a conditional read of an unchanged page, one commit by sha (an
    indexed lookup: the stack's own cost) and the first page straight from commit-service (the gateway's share)."""
    repo = histories.ensure(size)
    project_id, _ = create_and_wait(histories.alias(size, f"{tag}-reads-{size}"))
    base = f"{GATEWAY}/api/projects/{project_id}/commits"
    depth = min(1000, size // 50 - 1)
    cursor = None
    for _ in range(depth):
        _, page = get_json(f"{base}?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        cursor = page["nextCursor"]
    _, first = get_json(f"{base}?limit=1")
    some = git_out(repo, "rev-list", "--branches", "--max-count=1", f"--skip={size // 3}").strip()
    author = git_out(repo, "log", "-1", "--format=%an", some).split()[0].lower()
    middle = int(git_out(repo, "log", "-1", "--format=%ct", some).strip())
    window = f"since={datetime.fromtimestamp(middle - 86400 * 30, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}" \
             f"&until={datetime.fromtimestamp(middle, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    request = urllib.request.Request(f"{base}?limit=50")
    with urllib.request.urlopen(request, timeout=30) as response:
        etag = response.headers["ETag"]
    cases = {
        # one commit by id: the stand-in answers it from its _id index, so this is the stack's own cost
        "one commit by sha (indexed lookup)": (f"{base}/{first['items'][0]['sha']}", ()),
        "first page": (f"{base}?limit=50", ()),
        "first page, unchanged (If-None-Match: 304)": (f"{base}?limit=50", (f"If-None-Match: {etag}",)),
        "first page, commit-service direct (no gateway)": (f"{COMMIT_API}/api/projects/{project_id}/commits?limit=50", ()),
        f"cursor page {depth + 1}": (f"{base}?limit=50&cursor={cursor}", ()),
        f"page={depth + 1} (offset)": (f"{base}?page={depth + 1}&per_page=50", ()),
        "branch=main, first page": (f"{base}?limit=50&branch=main", ()),
        f"author={author}, first page": (f"{base}?limit=50&author={urllib.parse.quote(author)}", ()),
        "30 days (since & until), first page": (f"{base}?limit=50&{window}", ()),
        "q=fix, first page": (f"{base}?limit=50&q=fix", ()),
    }
    wait_until_idle()  # the fetch's own tail (the mirror's pack upkeep) is not what a read costs
    warm = "1s" if duration in ("1s", "2s") else "2s"  # CI's smoke run measures 2 s: it warms 1 s
    for url, headers in cases.values():  # each case once first: the JIT compiles them all before any is measured
        status, _ = http("GET", url)  # the first request computes what the listing is; wrk measures the warm ones
        if status != 200:
            raise SystemExit(f"bench: GET {url} answered {status}")
        wrk(url, warm, headers)
    result = {}
    for name, (url, headers) in cases.items():
        result[name], profile = profiled(f"{size}-{name}", lambda: wrk(url, duration, headers))
        if profile:
            result[name]["profile"] = profile
        log(f"{size:,} reads {name}: {result[name]['rps']:.0f} req/s, p50 {result[name]['p50_ms']:.1f} ms, p99 {result[name]['p99_ms']:.1f} ms")
    delete(project_id)
    wait_until_idle()
    return result


def git_out(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def timed_get(url):
    start = time.perf_counter()
    status, body = http("GET", url)
    if status != 200:
        raise SystemExit(f"bench: GET {url} answered {status}: {body[:300]}")
    return time.perf_counter() - start, json.loads(body)


def branch_case(histories, size, branches, runs, duration, tag):
    """One branch's history (ADR 0008) on a history with `branches` branches: the first fetch next to
    the limit, a refresh, the graph's size, GET /branches, and pages of one branch at the top and at
    the bottom next to the raw `git rev-list NAME` (treeless clone, warm), each checked against git."""
    repo = histories.ensure(size, branches)
    url = histories.alias(size, f"{tag}-limit-b{branches}", branches)
    scratch = OUT / "scratch.git"
    limit = []
    for _ in range(runs):
        shutil.rmtree(scratch, ignore_errors=True)
        limit.append(timed(["git", "clone", "-q", "--bare", "--filter=tree:0", url + ".git", str(scratch)],
                           ["git", "-C", str(scratch), "log", "--all", "--no-mailmap", "--date=raw", f"--format={FORMAT}"]))
    fetches = []
    project_id = None
    for k in range(runs):
        if project_id:
            delete(project_id)
        start = time.perf_counter()
        project_id, project = create_and_wait(histories.alias(size, f"{tag}-branches-b{branches}-{k}", branches))
        fetches.append(time.perf_counter() - start)
    heads = git_out(repo, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads/").split()
    edges = sum(len(line.split()) - 1 for line in git_out(repo, "rev-list", "--branches", "--parents").splitlines())
    # the graph's bytes (CommitGraph.toBytes): 16 + 20 a sha + 8 a date + 4 a parent + 8 a commit of offsets and sha index
    graph_bytes = 16 + size * 28 + (2 * size + 1 + edges) * 4
    listed, list_json = timed_get(f"{GATEWAY}/api/projects/{project_id}/branches")
    if [b["name"] for b in list_json] != sorted(heads):
        raise SystemExit("bench: the branches listed are not git's")
    counts = {b["name"]: b.get("commitCount") for b in list_json}
    # the branch with the most commits and the one with the fewest (a feature branch of a few dozen)
    largest = max(counts, key=lambda n: counts[n] or 0)
    smallest = min(counts, key=lambda n: counts[n] if counts[n] is not None else size)
    result = {"branches": len(heads), "limit": summary(limit), "fetch": summary(fetches), "graph_mib": graph_bytes / 2**20,
              "per_branch_sets_mib": sum(c or 0 for c in counts.values()) * 60 / 2**20,  # what per-branch membership rows would hold
              "get_branches_s": listed, "names": {}}
    for name in (largest, smallest):
        clone = OUT / "branch-raw.git"
        shutil.rmtree(clone, ignore_errors=True)
        run("git", "clone", "-q", "--bare", "--filter=tree:0", histories.url(f"h{size}" if branches == 6 else f"h{size}-b{branches}") + ".git",
            str(clone), stderr=subprocess.DEVNULL)
        raw = [timed(["git", "-C", str(clone), "rev-list", name]) for _ in range(runs)]
        raw_log = [timed(["git", "-C", str(clone), "log", "--no-mailmap", "--date=raw", f"--format={FORMAT}", name]) for _ in range(runs)]
        shas = git_out(clone, "rev-list", name).split()
        shutil.rmtree(clone, ignore_errors=True)
        if counts[name] is not None and counts[name] != len(shas):
            raise SystemExit(f"bench: {name} counted {counts[name]}, git log has {len(shas)}")
        quoted = urllib.parse.quote(name, safe="")
        base = f"{GATEWAY}/api/projects/{project_id}/commits?branch={quoted}&limit=50"
        _, first = timed_get(base)
        if first["totalCount"] != len(shas) or [c["sha"] for c in first["items"]] != shas[:50]:
            raise SystemExit(f"bench: the first page of {name} is not git's")
        # a cursor at the bottom of the branch: the position of the commit 50 before its last
        deep = shas[max(0, len(shas) - 51)]
        committed = int(git_out(repo, "log", "-1", "--format=%ct", deep).strip()) * 1000
        cursor = base64.urlsafe_b64encode(f"{committed}:{project_id}:{deep}".encode()).decode().rstrip("=")
        _, bottom = timed_get(f"{base}&cursor={cursor}")
        if [c["sha"] for c in bottom["items"]] != shas[len(shas) - 50:] and len(shas) > 51:
            raise SystemExit(f"bench: the last page of {name} is not git's")
        result["names"][name] = {"commits": len(shas), "raw_rev_list": summary(raw), "raw_log": summary(raw_log),
                                 "first_page": wrk(base, duration), "last_page": wrk(f"{base}&cursor={cursor}", duration)}
        log(f"{size:,}/{branches} branches, {name} ({len(shas):,}): rev-list {statistics.median(raw):.3f} s, "
            f"first page p50 {result['names'][name]['first_page']['p50_ms']:.1f} ms, "
            f"last page p50 {result['names'][name]['last_page']['p50_ms']:.1f} ms")
    # a refresh: +100 commits on main of a copy served under its own name
    name = f"{tag}-branches-refresh-b{branches}"
    target = histories.root / name
    if target.exists():
        shutil.rmtree(target)
    run("cp", "-a", "--reflink=auto", str(repo.parent), str(target))
    refresh_id, _ = create_and_wait(histories.url(name))
    refreshes = []
    for _ in range(runs):
        run(*FIXTURE, "add", str(target / "history.git"), "main", "100", stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        status, body = http("POST", f"{GATEWAY}/api/projects/{refresh_id}/refresh")
        if status != 202:
            raise SystemExit(f"bench: refresh answered {status}: {body}")
        wait_for_fetch(refresh_id, json.loads(body)["fetch"]["id"])
        refreshes.append(time.perf_counter() - start)
    main_count = len(git_out(target / "history.git", "rev-list", "main").split())
    _, page = timed_get(f"{GATEWAY}/api/projects/{refresh_id}/commits?branch=main&limit=1")
    if page["totalCount"] != main_count:
        raise SystemExit(f"bench: main after the refreshes has {page['totalCount']} commits, git says {main_count}")
    delete(refresh_id)
    delete(project_id)
    shutil.rmtree(target, ignore_errors=True)
    result["refresh"] = summary(refreshes)
    log(f"{size:,}/{branches} branches: limit {result['limit']['median']:.2f} s, fetch {result['fetch']['median']:.2f} s, "
        f"refresh +100 {result['refresh']['median']:.3f} s, graph {result['graph_mib']:.1f} MiB, GET branches {listed:.3f} s")
    return result


def searches_case(histories, size, runs, duration, tag):
    """Issue 25's questions (ADR 0011) on a `size`-commit history: the first request of a search (its scan, or
    traversal) and the warm first page (wrk), each next to git answering the same in a warm treeless mirror,
    each checked against git."""
    repo = histories.ensure(size)
    project_id, _ = create_and_wait(histories.alias(size, f"{tag}-searches-{size}"))
    clone = OUT / "searches-raw.git"
    shutil.rmtree(clone, ignore_errors=True)
    run("git", "clone", "-q", "--bare", "--filter=tree:0", histories.url(f"h{size}") + ".git", str(clone), stderr=subprocess.DEVNULL)
    heads = git_out(clone, "for-each-ref", "--format=%(refname:strip=2)", "refs/heads/").split()
    other = next(name for name in heads if name != "main")
    some = git_out(clone, "rev-list", "--branches", "--max-count=1", "--skip=777").strip()
    author = git_out(clone, "log", "-1", "--format=%an", some).split()[0].lower()
    base = f"{GATEWAY}/api/projects/{project_id}"
    cases = [
        # name, query of the listing (first page, limit=50), git's own answer of the same question, what git lists
        ("message search q=fix", "q=fix", ["log", "--branches", "-i", "-F", "--grep=fix", "--format=%H"]),
        ("two searches q=fix&q=cache", "q=fix&q=cache", ["log", "--branches", "-i", "-F", "--all-match", "--grep=fix", "--grep=cache", "--format=%H"]),
        (f"author={author}", f"author={urllib.parse.quote(author)}", ["log", "--branches", "--no-mailmap", "-i", "-F", f"--author={author}", "--format=%H"]),
        (f"ref=<short sha>", f"ref={some[:10]}", ["rev-list", some[:10]]),
        (f"compare {other}...main", f"base={urllib.parse.quote(other, safe='')}&head=main", ["rev-list", f"{other}..main"]),
    ]
    result = {"commits": size, "cases": {}}
    for name, query, git_args in cases:
        raw = [timed(["git", "-C", str(clone), *git_args]) for _ in range(runs)]
        shas = git_out(clone, *git_args).split()
        first, page = timed_get(f"{base}/commits?limit=50&{query}")  # the first request: computes and keeps its set
        if page["totalCount"] != len(shas) or [c["sha"] for c in page["items"]] != shas[:50]:
            raise SystemExit(f"bench: {name} is not git's ({page['totalCount']} against {len(shas)})")
        warm = wrk(f"{base}/commits?limit=50&{query}", duration)
        result["cases"][name] = {"matches": len(shas), "raw": summary(raw), "first_s": first, "warm": warm}
        log(f"{size:,} {name} ({len(shas):,}): git {statistics.median(raw):.3f} s, first request {first:.3f} s, "
            f"warm p50 {warm['p50_ms']:.1f} ms, {warm['rps']:.0f} req/s")
    shutil.rmtree(clone, ignore_errors=True)
    delete(project_id)
    return result


def wait_until_idle(quiet=2.0, timeout=600):
    """Until the stack's processes used under 5 % of a core for `quiet` seconds (a deletion's store work done)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        before = sum(cpu_seconds(part) for part in PARTS)
        time.sleep(quiet)
        if sum(cpu_seconds(part) for part in PARTS) - before < 0.05 * quiet:
            return
    log("the stack did not become idle")


def first_page_case(histories, size, runs, tag, limit=None):
    """Issue 26, ADR 0012: POST → the first non-empty page of the project's commits (a first look while its first
    fetch runs) and POST → READY, polled every 20 ms; the page shown is checked against `git rev-list --branches`."""
    branches = 6
    if size == "git":
        repo, (size, branches) = histories.ensure_git_sized(), GIT_SIZED[:2]
    else:
        repo = histories.ensure(size)
    if limit is None:  # a history no other case measured: its limit, in this run
        scratch = OUT / "scratch.git"
        url = histories.alias(size, f"{tag}-first-limit-{size}", branches)
        times = []
        for _ in range(runs):
            shutil.rmtree(scratch, ignore_errors=True)
            times.append(timed(["git", "clone", "-q", "--bare", "--filter=tree:0", url + ".git", str(scratch)],
                               ["git", "-C", str(scratch), "log", "--all", "--no-mailmap", "--date=raw", f"--format={FORMAT}"]))
        shutil.rmtree(scratch, ignore_errors=True)
        limit = statistics.median(times)
    newest = git_out(repo, "rev-list", "--branches", "--max-count=30").split()
    firsts, readies, looks = [], [], 0
    for k in range(runs):
        url = histories.alias(size, f"{tag}-first-{size}-{k}", branches)
        start = time.perf_counter()
        status, body = http("POST", GATEWAY + "/api/projects", {"url": url})
        if status not in (200, 202):
            raise SystemExit(f"bench: POST {url} answered {status}: {body}")
        project = json.loads(body)
        while True:
            status, text = http("GET", f"{GATEWAY}/api/projects/{project['id']}/commits?limit=30")
            if status == 200 and json.loads(text)["items"]:
                firsts.append(time.perf_counter() - start)
                page = json.loads(text)
                break
            if time.perf_counter() - start > 3600:
                raise SystemExit(f"bench: no first page of {url} within an hour")
            time.sleep(0.02)
        if [c["sha"] for c in page["items"]] != newest:
            raise SystemExit(f"bench: the first page of {url} is not git's newest 30 commits")
        looks += 1 if page.get("complete") is False else 0
        wait_for_fetch(project["id"], project["fetch"]["id"])
        readies.append(time.perf_counter() - start)
        delete(project["id"])
        wait_until_idle()  # the store removes the deleted project's commits after the 404: not during the next run
    result = {"first": summary(firsts), "ready": summary(readies), "looks": looks, "runs": runs, "commits": size,
              "branches": branches, "limit": limit}
    log(f"{size:,} first page: median {result['first']['median']:.2f} s ({looks} of {runs} a first look), "
        f"READY {result['ready']['median']:.2f} s")
    return result


def first_look_cost_case(histories, size, runs, tag, stack_env):
    """ADR 0012's cost to the whole fetch: POST → READY and commit-service's CPU seconds (git included) with the
    first look (as shipped) and without it (COMMITVIEWER_INGEST_FIRST_LOOK=false), in one run. The stack's
    commit-service is replaced by one of each in turn — on, off, on, off — each JVM warmed by a fetch first."""
    pid = (ROOT / ".local" / "stack" / "commit-service.pid").read_text().split()[0]
    subprocess.run(["kill", "-TERM", pid], check=True)
    while Path(f"/proc/{pid}").exists():
        time.sleep(0.2)
    samples = {"on": {"ready": [], "cpu": []}, "off": {"ready": [], "cpu": []}}
    try:
        for turn, label in enumerate(("on", "off", "on", "off")):
            process = start_commit_service(8082, 2, dict(stack_env, COMMITVIEWER_INGEST_FIRST_LOOK=str(label == "on").lower()))
            try:
                for k in range(runs // 2 + 1 + (runs % 2 if turn < 2 else 0)):
                    url = histories.alias(size, f"{tag}-look-{label}-{size}-{turn}-{k}")
                    before = proc_cpu_seconds(process.pid)
                    start = time.perf_counter()
                    project_id, project = create_and_wait(url)
                    elapsed = time.perf_counter() - start
                    cpu = proc_cpu_seconds(process.pid) - before
                    if project["commitCount"] != size:
                        raise SystemExit(f"bench: {project['commitCount']} commits stored, the history has {size}")
                    delete(project_id)
                    wait_until_idle()
                    if k > 0:  # the first of each JVM warms it
                        samples[label]["ready"].append(elapsed)
                        samples[label]["cpu"].append(cpu)
            finally:
                stop_process(process)
    finally:
        run("bash", str(ROOT / "scripts" / "run-local.sh"), "up", env=stack_env, stdout=subprocess.DEVNULL)
    result = {label: {"ready": summary(x["ready"]), "cpu": summary(x["cpu"])} for label, x in samples.items()}
    result["cost"] = result["on"]["ready"]["median"] / result["off"]["ready"]["median"] - 1
    log(f"{size:,} first look: READY {result['on']['ready']['median']:.2f} s on, {result['off']['ready']['median']:.2f} s off "
        f"({100 * result['cost']:+.1f} %), CPU {result['on']['cpu']['median']:.1f} s on, {result['off']['cpu']['median']:.1f} s off")
    return result


def table(results, args):
    lines = [f"Run {results['date']} on {results['machine']}; {args.runs} runs each; "
             f"median (min–max) in seconds; × = ratio to the limit of the same size in this run.", ""]
    lines += ["| commits | limit: treeless clone + log | seed: full clone + log | CLI list-commits | service POST→READY | commits/s | commit-service RSS / heap (MiB) |",
              "|---|---|---|---|---|---|---|"]
    for size, r in results["sizes"].items():
        if not r:
            continue  # no case of this table ran on this size
        limit = r.get("limit", {}).get("median")

        def cell(case):
            if case not in r:
                return "–"
            x = r[case]
            ratio = f" **{x['median'] / limit:.2f}×**" if limit and case != "limit" else ""
            return f"{x['median']:.2f} ({x['min']:.2f}–{x['max']:.2f}){ratio}"

        service = r.get("service")
        lines.append(f"| {int(size):,} | {cell('limit')} | {cell('seed')} | {cell('cli')} | {cell('service')} | "
                     + (f"{service['commits_per_s']:,.0f} | {service['rss_mib']:.0f} / {service['heap_mib']:.0f} |" if service else "– | – |"))
    cpu_rows = [(size, r["service"]["cpu_s"]) for size, r in results["sizes"].items() if "service" in r and "cpu_s" in r["service"]]
    if cpu_rows:
        lines += ["", "CPU seconds per POST→READY run (median; commit-service includes the git processes it ran):", "",
                  "| commits | " + " | ".join(PARTS) + " |", "|---" * (len(PARTS) + 1) + "|"]
        for size, cpu in cpu_rows:
            lines.append(f"| {int(size):,} | " + " | ".join(f"{cpu[part]:.1f}" for part in PARTS) + " |")
    if results["refresh"]:
        lines += ["", "| refresh of +100 commits | raw fetch + log of the new commits | service: POST refresh → SUCCEEDED | ratio |", "|---|---|---|---|"]
        for size, r in results["refresh"].items():
            raw, service = r["raw"], r["service"]
            lines.append(f"| on {int(size):,} | {raw['median']:.3f} ({raw['min']:.3f}–{raw['max']:.3f}) | "
                         f"{service['median']:.3f} ({service['min']:.3f}–{service['max']:.3f}) | {service['median'] / raw['median']:.2f}× |")
    if results["reads"]:
        for size, r in results["reads"].items():
            lines += ["", f"Reads through the gateway, {int(size):,}-commit history, `limit=50`, wrk -t2 -c32 -d{args.wrk_duration}:", "",
                      "| request | requests/s | p50 (ms) | p99 (ms) | non-2xx | timeouts (> 2 s) |", "|---|---|---|---|---|---|"]
            for name, x in r.items():
                lines.append(f"| {name} | {x['rps']:,.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | {x['non_2xx']} | {x.get('timeouts', 0)} |")
    for key, r in results.get("branches", {}).items():
        size, count = key.split("/")
        lines += ["", f"One branch's history (ADR 0008), {int(size):,} commits, {r['branches']:,} branches: "
                  f"limit (treeless clone + log) {r['limit']['median']:.2f} s; first fetch POST→READY {r['fetch']['median']:.2f} s "
                  f"({r['fetch']['min']:.2f}–{r['fetch']['max']:.2f}) **{r['fetch']['median'] / r['limit']['median']:.2f}×**; "
                  f"refresh +100 on main {r['refresh']['median']:.3f} s; graph {r['graph_mib']:.1f} MiB "
                  f"(per-branch membership rows would hold ~{r['per_branch_sets_mib']:.0f} MiB); GET …/branches {r['get_branches_s'] * 1000:.0f} ms", "",
                  "| branch | commits | raw `git rev-list NAME` | raw `git log NAME` (all fields) | first page p50 / p99 (ms), req/s | last page p50 / p99 (ms), req/s |",
                  "|---|---|---|---|---|---|"]
        for name, x in r["names"].items():
            lines.append(f"| {name} | {x['commits']:,} | {x['raw_rev_list']['median']:.3f} s | {x['raw_log']['median']:.3f} s | "
                         f"{x['first_page']['p50_ms']:.1f} / {x['first_page']['p99_ms']:.1f}, {x['first_page']['rps']:,.0f} | "
                         f"{x['last_page']['p50_ms']:.1f} / {x['last_page']['p99_ms']:.1f}, {x['last_page']['rps']:,.0f} |")
    if results.get("first_page"):
        lines += ["", "A first page while the first fetch runs (ADR 0012): POST → the first non-empty page (`limit=30`, polled every "
                  "20 ms, checked against `git rev-list --branches`) and POST → READY, next to the limit of the same size in this run:", "",
                  "| commits | limit: treeless clone + log | POST → first page | of them a first look | POST → READY |", "|---|---|---|---|---|"]
        for size, r in results["first_page"].items():
            limit = r.get("limit")
            ready = r["ready"]
            label = f"git/git-sized: {r['commits']:,}, {r['branches']} branches, {GIT_SIZED[2]} tags" if size == "git" else f"{int(size):,}"
            lines.append(f"| {label} | " + (f"{limit:.2f}" if limit else "–") + f" | {r['first']['median']:.2f} "
                         f"({r['first']['min']:.2f}–{r['first']['max']:.2f}) | {r['looks']} of {r['runs']} | {ready['median']:.2f} "
                         f"({ready['min']:.2f}–{ready['max']:.2f})" + (f" **{ready['median'] / limit:.2f}×**" if limit else "") + " |")
    if results.get("first_look_cost"):
        lines += ["", "What the first look costs the whole fetch (ADR 0012): POST → READY and commit-service's CPU seconds (git "
                  "included), with it (as shipped) and without (`COMMITVIEWER_INGEST_FIRST_LOOK=false`), turns on, off, on, off:", "",
                  "| commits | READY, first look on (s) | READY, off (s) | cost | CPU on (s) | CPU off (s) |", "|---|---|---|---|---|---|"]
        for size, r in results["first_look_cost"].items():
            on, off = r["on"], r["off"]
            lines.append(f"| {int(size):,} | {on['ready']['median']:.2f} ({on['ready']['min']:.2f}–{on['ready']['max']:.2f}) | "
                         f"{off['ready']['median']:.2f} ({off['ready']['min']:.2f}–{off['ready']['max']:.2f}) | {100 * r['cost']:+.1f} % | "
                         f"{on['cpu']['median']:.1f} | {off['cpu']['median']:.1f} |")
    for size, r in results.get("searches", {}).items():
        lines += ["", f"Searches, refs and compare (ADR 0011), {int(size):,} commits, first page `limit=50`; git answers the same in a warm "
                  f"treeless mirror; the first request computes the search's set (a scan of the project's commits) and keeps it; "
                  f"warm: wrk -t2 -c32 -d{args.wrk_duration}:", "",
                  "| question | matches | git (s) | first request (s) | warm p50 / p99 (ms) | warm req/s |", "|---|---|---|---|---|---|"]
        for name, x in r["cases"].items():
            lines.append(f"| {name} | {x['matches']:,} | {x['raw']['median']:.3f} | {x['first_s']:.3f} | "
                         f"{x['warm']['p50_ms']:.1f} / {x['warm']['p99_ms']:.1f} | {x['warm']['rps']:,.0f} |")
    for size, r in results.get("instances", {}).items():
        parts = list(r["two"]["cpu_s"])
        lines += ["", f"Two {int(size):,}-commit projects POSTed at once, POST → both READY: one commit-service instance with "
                  "two consumers (as shipped) against two instances with one consumer each, on one store and broker "
                  "(ADR 0010: a lease per project makes them safe for one project too):", "",
                  "| commit-service instances | seconds | " + " | ".join(f"CPU s {part}" for part in parts) + " | fetched by |",
                  "|---" * (len(parts) + 3) + "|"]
        for label, name in (("1 (2 consumers)", "one"), ("2 (1 consumer each)", "two")):
            x = r[name]
            by = ", ".join("/".join(names) or "?" for names in x["fetched_by"].values())
            lines.append(f"| {label} | {x['seconds']:.2f} | " + " | ".join(f"{x['cpu_s'].get(part, 0.0):.1f}" for part in parts) + f" | {by} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="limit,seed,cli,service,first-page,refresh,reads,branches,instances,searches")
    parser.add_argument("--first-page-sizes", default="10000,100000,1000000",
                        help="commits of the histories (cases first-page, first-look-cost), those of --sizes; "
                             "git: a history of git/git's size and shape as well")
    parser.add_argument("--search-sizes", default="100000,1000000", help="commits of the histories searched (case searches)")
    parser.add_argument("--instances-size", type=int, default=100000, help="commits of each of the two projects (case instances)")
    parser.add_argument("--refresh-sizes", default="10000,1000000")
    parser.add_argument("--reads-size", default="100000,1000000", help="commits of the histories read (case reads)")
    parser.add_argument("--branch-size", type=int, default=100000, help="commits of the branch histories (case branches)")
    parser.add_argument("--branch-counts", default="6,1000", help="branches of each branch history (case branches)")
    parser.add_argument("--wrk-duration", default="30s")
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--profile", action="store_true", help="JDK Flight Recorder on commit-service and the stand-in "
                        "during each reads case: the hottest frames in the results' JSON, the recordings in bench/out")
    parser.add_argument("--keep-stack", action="store_true", help="leave the stack running afterwards")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = set(args.cases.split(","))
    PROFILE["on"] = args.profile
    needs_stack = bool(cases & {"service", "first-page", "first-look-cost", "refresh", "reads", "branches", "instances", "searches"})
    OUT.mkdir(parents=True, exist_ok=True)
    histories = Histories(args.port)
    for size in sizes:
        histories.ensure(size)
    tag = "b" + datetime.now(timezone.utc).strftime("%H%M%S")
    cpu = re.search(r"model name\s+: (.*)", Path("/proc/cpuinfo").read_text())
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 2**20
    results = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": f"{os.cpu_count()} cores ({cpu.group(1) if cpu else 'cpu'}), {memory} GiB, "
                          + subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip(),
               "sizes": {}, "refresh": {}, "reads": {}, "branches": {}, "instances": {}, "searches": {}, "first_page": {}, "first_look_cost": {}}
    histories.serve()
    try:
        if needs_stack:
            # the gateway's per-client rate limits and the refresh coalescing would measure
            # themselves (a refresh right after a fetch queues nothing): lifted for the benchmark
            env = dict(os.environ, COMMITVIEWER_GIT_ALLOWED_ORIGINS=f"https://github.com,internal:http://127.0.0.1:{args.port}",
                       COMMITVIEWER_GATEWAY_READS_PER_SECOND="100000", COMMITVIEWER_GATEWAY_READS_BURST="100000",
                       COMMITVIEWER_GATEWAY_WRITES_PER_SECOND="100000", COMMITVIEWER_GATEWAY_WRITES_BURST="100000",
                       COMMITVIEWER_FETCH_MIN_REFRESH_INTERVAL="0s")
            run("bash", str(ROOT / "scripts" / "run-local.sh"), "up", env=env, stdout=subprocess.DEVNULL)
        for size in sizes:
            results["sizes"][size] = git_baselines(histories, size, args.runs, cases)
            if "service" in cases:
                results["sizes"][size]["service"] = service_ingest(histories, size, args.runs, tag)
        if "first-page" in cases:
            for key in args.first_page_sizes.split(","):
                if key != "git" and int(key) not in sizes:
                    continue  # a size this run does not cover (CI's smoke run: 10k alone)
                size = key if key == "git" else int(key)
                limit = results["sizes"].get(size, {}).get("limit", {}).get("median")
                results["first_page"][key] = first_page_case(histories, size, args.runs, tag, limit)
        if "first-look-cost" in cases:
            for key in args.first_page_sizes.split(","):
                if key != "git" and int(key) in sizes:
                    results["first_look_cost"][int(key)] = first_look_cost_case(histories, int(key), args.runs, tag, env)
        if "refresh" in cases:
            for size in (int(s) for s in args.refresh_sizes.split(",")):
                if size in sizes:
                    results["refresh"][size] = refresh(histories, size, args.runs, tag)
        if "reads" in cases:
            for size in (int(s) for s in args.reads_size.split(",")):
                if size in sizes:
                    results["reads"][size] = reads(histories, size, args.wrk_duration, tag)
        if "branches" in cases:
            for count in (int(c) for c in args.branch_counts.split(",")):
                results["branches"][f"{args.branch_size}/{count}"] = branch_case(
                    histories, args.branch_size, count, args.runs, args.wrk_duration, tag)
        if "searches" in cases:
            for size in (int(s) for s in args.search_sizes.split(",")):
                if size in sizes:
                    results["searches"][size] = searches_case(histories, size, args.runs, args.wrk_duration, tag)
        if "instances" in cases:
            size = args.instances_size if args.instances_size in sizes else max(sizes)
            results["instances"][size] = instances_case(histories, size, tag, env)
    finally:
        histories.close()
        if needs_stack and not args.keep_stack:
            run("bash", str(ROOT / "scripts" / "run-local.sh"), "down", stdout=subprocess.DEVNULL)
    report = table(results, args)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2))
    (OUT / f"results-{stamp}.md").write_text(report)
    print(report)
    log(f"written to bench/out/results-{stamp}.md and .json")


if __name__ == "__main__":
    main()

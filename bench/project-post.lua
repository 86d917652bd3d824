-- wrk script: every request POSTs a repository never seen before, so each one is a real
-- creation (insert + outbox row + publish with confirm), not the cheap "already exists" path.
local counter = 0
local run = tostring(os.time())
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  math.randomseed(os.time() * 100 + id)
end

request = function()
  counter = counter + 1
  local body = string.format('{"url":"https://github.com/bench-%s-%d/repo-%d-%d"}', run, id, math.random(1, 1e9), counter)
  return wrk.format("POST", "/api/projects", {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("requests: %d, errors (non-2xx/socket): %d/%d\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end

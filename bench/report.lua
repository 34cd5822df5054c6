-- wrk script: requests as if through the TLS proxy, counts non-2xx answers across all threads and
-- prints one machine-readable line: RESULT <req/s> <p50 ms> <p99 ms> <failed> <requests>, where
-- failed counts non-2xx answers and requests that errored or timed out.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  io.write(string.format(
    "RESULT %.0f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    bad + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.requests
  ))
end

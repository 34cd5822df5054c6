-- wrk script for bench/live.py: every connection polls a live story's updates.json as the page's
-- script does, sending back the ETag it last got (If-None-Match), through the TLS proxy's header.
-- Prints: RESULT <req/s> <p50 ms> <p99 ms> <failed> <requests> <304s>, where failed counts answers
-- other than 200 and 304 and requests that errored or timed out.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
  not_modified = 0
  etag = nil
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  if etag then
    wrk.headers["If-None-Match"] = etag
  end
  return wrk.format("GET", wrk.path)
end

function response(status, headers, body)
  if status == 200 then
    etag = headers["ETag"] or headers["etag"]
  elseif status == 304 then
    not_modified = not_modified + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local bad, unchanged = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("failed")
    unchanged = unchanged + thread:get("not_modified")
  end
  io.write(string.format(
    "RESULT %.0f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    bad + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.requests,
    unchanged
  ))
end

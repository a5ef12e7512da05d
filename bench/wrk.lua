-- wrk script for the bench: `wrk ... -s bench/wrk.lua URL -- PATHS_FILE [IF_NONE_MATCH]`.
-- Walks the paths in PATHS_FILE (one a line) in turn, each thread from its own place, sends
-- If-None-Match when given, and prints the summary as one JSON line.
local paths, etag, n = {}, nil, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    table.insert(paths, line)
  end
  if args[2] and args[2] ~= "" then
    etag = args[2]
  end
  n = (id or 0) * 997
end

function request()
  n = n + 1
  local headers = {}
  if etag then
    headers["If-None-Match"] = etag
  end
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- wrk script for the bench:
--   wrk ... -s bench/wrk.lua URL -- PATHS_FILE [IF_NONE_MATCH] [ACCEPT_ENCODING]
-- Walks the paths in PATHS_FILE (one a line) in turn, each thread from its own place, sends
-- If-None-Match and Accept-Encoding when given, and prints the summary as one JSON line. With
-- If-None-Match it also counts the answers that are not 304 (wrk reads responses into Lua only
-- when the script defines `response`, which costs wrk some speed: only then is it defined).
local paths, etag, accept_encoding, n = {}, nil, nil, 0
local threads = {}
not_304 = 0

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
    response = function(status, headers, body)
      if status ~= 304 then
        not_304 = not_304 + 1
      end
    end
  end
  if args[3] and args[3] ~= "" then
    accept_encoding = args[3]
  end
  n = (id or 0) * 997
end

function request()
  n = n + 1
  local headers = {}
  if etag then
    headers["If-None-Match"] = etag
  end
  if accept_encoding then
    headers["Accept-Encoding"] = accept_encoding
  end
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local others = 0
  for _, thread in ipairs(threads) do
    others = others + (thread:get("not_304") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "not_304": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, others))
end

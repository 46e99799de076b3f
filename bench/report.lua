-- wrk script: print the run's figures as one JSON line (latency in microseconds).
-- Every response that is not 2xx counts as an error (a 302 to the login page is a failure, not a page), beside
-- wrk's own socket errors and timeouts. Paths after `--` are requested in turn (one connection alternates them);
-- without them, the URL's path. The SQL statements the app reports per answer (X-Query-Count, when the bench
-- turns it on) are summed: their mean per request tells answers from the cache (2) from rebuilt pages.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  statements = 0
  paths = {}
  for _, path in ipairs(args) do
    table.insert(paths, wrk.format(nil, path))
  end
  if #paths == 0 then
    table.insert(paths, wrk.format())
  end
  turn = 0
end

function request()
  turn = turn % #paths + 1
  return paths[turn]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  local counted = tonumber(headers["X-Query-Count"] or headers["x-query-count"] or "0")
  statements = statements + (counted or 0)
end

function done(summary, latency, requests)
  local non2xx = 0
  local statements = 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non2xx")
    statements = statements + thread:get("statements")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"errors": %d, "non2xx": %d, "socket_errors": %d, "statements": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, non2xx + socket, non2xx, socket, statements))
end

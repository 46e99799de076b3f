-- wrk script: print the run's figures as one JSON line (latency in microseconds).
-- Every response that is not 2xx counts as an error (a 302 to the login page is a failure, not a page), beside
-- wrk's own socket errors and timeouts. Paths after `--` are requested in turn (one connection alternates them);
-- without them, the URL's path.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
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
end

function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non2xx")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"errors": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, non2xx + socket, non2xx, socket))
end

"""The load clients: wrk with bench/report.lua, or a Python client when wrk is missing. Both count every answer
that is not 2xx (redirects included: a 302 to the login page is a failure) and every socket error as an error."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.serve import BENCH

#: A load client: (port, path or paths taken in turn, headers, clients, seconds) -> figures.
Load = Callable[[int, "str | Sequence[str]", dict[str, str], int, float], dict[str, Any]]


def _paths(target: str | Sequence[str]) -> list[str]:
    return [target] if isinstance(target, str) else list(target)


def wrk(port: int, target: str | Sequence[str], headers: dict[str, str], clients: int,
        seconds: float) -> dict[str, Any]:
    """Load ``target`` (a path, or paths requested in turn) with wrk; p50/p95/p99, req/s and errors."""
    paths = _paths(target)
    args = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
            "-s", str(BENCH / "report.lua")]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    extra = ["--", *paths] if len(paths) > 1 else []
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{paths[0]}", *extra], check=True, capture_output=True,
                         text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    data = json.loads(line)
    return {"requests": data["requests"], "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
            "p50_ms": round(data["p50_us"] / 1000, 1), "p95_ms": round(data["p95_us"] / 1000, 1),
            "p99_ms": round(data["p99_us"] / 1000, 1), "errors": data["errors"], "non2xx": data["non2xx"],
            "sql_per_request": round(data["statements"] / max(data["requests"], 1), 2), "tool": "wrk"}


def figures(latencies: list[float], elapsed: float, errors: int, non2xx: int, tool: str,
            statements: int = 0) -> dict[str, Any]:
    """req/s and the percentiles of ``latencies`` (seconds) in milliseconds; the mean SQL statements an answer
    reported (X-Query-Count)."""
    if not latencies:
        return {"requests": 0, "rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "errors": errors,
                "non2xx": non2xx, "sql_per_request": 0.0, "tool": tool}
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1), "errors": errors, "non2xx": non2xx,
            "sql_per_request": round(statements / len(latencies), 2), "tool": tool}


def python_load(port: int, target: str | Sequence[str], headers: dict[str, str], clients: int,
                seconds: float) -> dict[str, Any]:
    """The same figures as :func:`wrk` from ``clients`` threads, each on its own keep-alive connection."""
    paths = _paths(target)
    latencies: list[float] = []
    counts = {"errors": 0, "non2xx": 0, "statements": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        errors = non2xx = statements = 0
        turn = number
        while time.monotonic() < stop:
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
            statements += int(response.getheader("X-Query-Count") or 0)
            if not 200 <= response.status <= 299:
                errors += 1
                non2xx += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["errors"] += errors
            counts["non2xx"] += non2xx
            counts["statements"] += statements

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return figures(latencies, time.perf_counter() - started, counts["errors"], counts["non2xx"], "python",
                   counts["statements"])

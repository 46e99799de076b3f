"""A DingTalk custom robot on loopback: checks token, timestamp and signature as DingTalk does, records messages.

``RobotTestServer(token=…, secret=…)`` listens on 127.0.0.1; its ``webhook`` is the URL to configure. Each POST is
checked like the real robot: the ``access_token`` must be the robot's (else errcode 300001), the ``timestamp`` within
an hour of the server's clock and ``sign`` the Base64 HMAC-SHA256 of "timestamp\\nsecret" (else 310000), the body a
markdown message. Accepted messages are in ``messages``; every request (accepted or not) in ``requests``.
``fail(mode, times)`` makes the next requests fail: ``"500"`` (HTTP 500), ``"busy"`` (errcode 130101, too fast),
``"hang"`` (answer only after ``hang_seconds``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = "0123456789abcdef" * 4
SECRET = "SEC" + "5f3a9c" * 10 + "abcd"


@dataclass(frozen=True)
class RobotRequest:
    """One request as received: the query, the parsed body, and the answer given."""

    query: dict[str, str]
    body: dict[str, Any]
    errcode: int | None
    status: int


class RobotTestServer:
    """A signing-checking robot on a loopback port (a context manager)."""

    def __init__(self, *, token: str = TOKEN, secret: str = SECRET, hang_seconds: float = 3.0) -> None:
        self.token, self.secret, self.hang_seconds = token, secret, hang_seconds
        self.messages: list[dict[str, Any]] = []
        self.requests: list[RobotRequest] = []
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def webhook(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/robot/send?access_token={self.token}"

    def fail(self, mode: Literal["500", "busy", "hang"], times: int = 1) -> None:
        """Make the next ``times`` requests fail in ``mode``."""
        with self._lock:
            self._failures.extend([mode] * times)

    def _next_failure(self) -> str | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def check(self, query: dict[str, str]) -> tuple[int, str]:
        """Return DingTalk's (errcode, errmsg) for a request's query string."""
        if query.get("access_token") != self.token:
            return 300001, "token is not exist"
        try:
            timestamp = int(query.get("timestamp", ""))
        except ValueError:
            return 310000, "invalid timestamp"
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
            return 310000, "invalid timestamp"
        expected = base64.b64encode(hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(query.get("sign", ""), expected):
            return 310000, "sign not match"
        return 0, "ok"

    def __enter__(self) -> RobotTestServer:
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep the test output quiet
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = {}
                failure = robot._next_failure()
                if failure == "hang":
                    time.sleep(robot.hang_seconds)
                if failure == "500":
                    robot.requests.append(RobotRequest(query, body, None, 500))
                    self._answer(500, {"errcode": -1, "errmsg": "internal error"})
                    return
                errcode, errmsg = (130101, "send too fast") if failure == "busy" else robot.check(query)
                if errcode == 0 and body.get("msgtype") != "markdown":
                    errcode, errmsg = 40035, "缺少参数 markdown"
                robot.requests.append(RobotRequest(query, body, errcode, 200))
                if errcode == 0:
                    robot.messages.append(body)
                self._answer(200, {"errcode": errcode, "errmsg": errmsg})

            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a hang beyond its time-out)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll: shutdown() waits until the loop looks again (every 0.5 s by default: at each test's end).
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def robot_server_fixture(name: str = "robot_server", **kwargs: Any) -> Callable[..., Any]:
    """Return a pytest fixture ``name`` that yields a running :class:`RobotTestServer`."""

    @pytest.fixture(name=name)
    def _robot_server() -> Iterator[RobotTestServer]:
        with RobotTestServer(**kwargs) as server:
            yield server

    return _robot_server

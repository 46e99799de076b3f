"""A real SMTP server on loopback for tests (aiosmtpd), with failure injection.

Use it as a context manager::

    with SmtpTestServer() as smtp:
        send_message(msg, SmtpSettings(host=smtp.host, port=smtp.port))
        assert smtp.messages[0].message["Subject"] == "…"

or as a fixture, created by :func:`smtp_server_fixture` in a conftest or test module::

    smtp_server = smtp_server_fixture()            # fixture named "smtp_server"

Failures: ``smtp.fail("data", 421)`` answers 421 to DATA until ``smtp.clear_failures()``;
``smtp.fail("rcpt", 550, times=1)`` only once; ``recipients=`` limits an RCPT failure to some
addresses. ``smtp.stop()`` / ``smtp.start()`` take the server down and bring it back on the same port
(``smtp.restart()`` does both). :func:`silent_tcp_server` is a listener that accepts TCP connections and
never says a word (an SMTP server that hangs).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

Stage = Literal["rcpt", "data"]

_DEFAULT_TEXT = {
    421: "4.3.0 Service not available, closing transmission channel (test)",
    450: "4.2.1 Mailbox unavailable, try again later (test)",
    451: "4.3.0 Local error in processing (test)",
    550: "5.1.1 Mailbox unavailable (test)",
    552: "5.3.4 Message too big (test)",
    554: "5.7.1 Transaction failed (test)",
}


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the server accepted: envelope plus the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes


@dataclass
class _Failure:
    code: int
    text: str
    remaining: int | None
    recipients: frozenset[str] | None


class _Handler:
    """aiosmtpd handler that consults the owning server for injected failures."""

    def __init__(self, owner: SmtpTestServer) -> None:
        """Remember the server whose failures and mailbox this handler uses."""
        self._owner = owner

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        """Count the client's sessions (one EHLO each: the suite's sender never uses STARTTLS here)."""
        with self._owner._lock:
            self._owner.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """Accept the recipient unless a failure is injected for it."""
        reply = self._owner._take_failure("rcpt", address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the message unless a failure is injected for DATA."""
        reply = self._owner._take_failure("data", None)
        if reply is not None:
            return reply
        self._owner._record(envelope)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """A Controller that may bind port 0 and learns the port the OS picked before its self-test."""

    def _trigger_server(self) -> None:
        if self.server is not None and self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpTestServer:
    """aiosmtpd on 127.0.0.1 that records messages and can be told to fail, stop and restart."""

    def __init__(self, *, port: int = 0, auth: tuple[str, str] | None = None) -> None:
        """Prepare a server; ``port=0`` picks a free port at the first start, kept on restarts."""
        self.host = "127.0.0.1"
        self.port = port
        self.auth = auth
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        #: SMTP sessions clients opened (EHLO), to tell one connection per batch from one per message.
        self.sessions = 0
        self._failures: dict[Stage, _Failure] = {}
        self._controller: _Controller | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start listening (on the same port as before if it ran already)."""
        if self._controller is not None:
            return
        kwargs: dict[str, Any] = {}
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        controller = _Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            server_hostname="smtp.test",  # avoids socket.getfqdn(), which can stall without DNS
            ready_timeout=5.0,
            **kwargs,
        )
        controller.start()
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        """Stop listening; connections are refused until :meth:`start` is called again."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def restart(self) -> None:
        """Stop and start again on the same port."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        """Tell whether the server is listening."""
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        """Start the server."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server."""
        self.stop()

    # -- failures ----------------------------------------------------------------------------
    def fail(
        self,
        stage: Stage,
        code: int,
        text: str | None = None,
        *,
        times: int | None = None,
        recipients: set[str] | frozenset[str] | None = None,
    ) -> None:
        """Answer ``code`` at ``stage`` (``times`` times, or until cleared), optionally for some RCPTs."""
        if stage not in ("rcpt", "data"):
            raise ValueError(f"unknown stage {stage!r}")
        if not 400 <= code < 600:
            raise ValueError("only 4xx and 5xx replies make sense as failures")
        with self._lock:
            self._failures[stage] = _Failure(
                code,
                text or _DEFAULT_TEXT.get(code, "Failure injected by test"),
                times,
                frozenset(recipients) if recipients is not None else None,
            )

    def clear_failures(self) -> None:
        """Accept everything again."""
        with self._lock:
            self._failures.clear()

    def _take_failure(self, stage: Stage, address: str | None) -> str | None:
        with self._lock:
            failure = self._failures.get(stage)
            if failure is None:
                return None
            if failure.recipients is not None and address not in failure.recipients:
                return None
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    del self._failures[stage]
            return f"{failure.code} {failure.text}"

    # -- received mail -----------------------------------------------------------------------
    def _record(self, envelope: Any) -> None:
        raw: bytes = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        received = ReceivedMessage(envelope.mail_from, tuple(envelope.rcpt_tos), parsed, raw)
        with self._lock:
            self._messages.append(received)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.auth is not None
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.auth[0]
            and auth_data.password.decode() == self.auth[1]
        )
        return AuthResult(success=ok, handled=False)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Return a snapshot of the messages accepted so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def clear_messages(self) -> None:
        """Forget the messages received so far."""
        with self._lock:
            self._messages.clear()


def smtp_server_fixture(
    *, name: str = "smtp_server", scope: Literal["function", "module", "session"] = "function", **kwargs: Any
) -> Callable[..., Any]:
    """Return a pytest fixture ``name`` that yields a running :class:`SmtpTestServer`.

    In a conftest: ``smtp_server = smtp_server_fixture()``. With a wider scope, failures and messages
    are reset before each use is the caller's job (``clear_failures()``, ``clear_messages()``).
    """

    @pytest.fixture(name=name, scope=scope)
    def _smtp_server() -> Iterator[SmtpTestServer]:
        with SmtpTestServer(**kwargs) as server:
            yield server

    return _smtp_server


@contextmanager
def silent_tcp_server() -> Iterator[tuple[str, int]]:
    """Listen on 127.0.0.1 and never answer: the kernel completes the handshake, nobody speaks."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=8)
    try:
        yield listener.getsockname()[:2]
    finally:
        listener.close()

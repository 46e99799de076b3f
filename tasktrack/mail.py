"""Build and send one e-mail over SMTP, and classify failures for the outbox (RELIABILITY §2, R4, R24).

The delivery job calls :func:`send_message` once per outbox row. Its only outcomes are: return (the
server accepted the message for at least one recipient), :class:`TransientMailError` (retry later with
backoff) or :class:`PermanentMailError` (do not retry). The Message-ID is derived from the outbox key,
so the rare duplicate after an ambiguous failure (the server took the message but the reply was lost)
carries the same Message-ID as the first copy.

Classification:

* connecting, the greeting, EHLO/HELO, STARTTLS and AUTH: any failure, including a 5xx reply, is
  **transient** — it is the server or our configuration, not this message, so messages must survive
  until an administrator fixes it (the outbox's attempt cap still ends hopeless retries);
* MAIL FROM / RCPT TO / DATA: 4xx is transient, 5xx is permanent; when every recipient is refused the
  error is permanent only if all refusals are 5xx;
* time-outs, refused or reset connections and a server that disconnects are transient;
* a malformed address, or a non-ASCII address the server cannot take (no SMTPUTF8), is permanent.

If the server refuses some recipients but accepts others the message has been sent: the refusals are
logged and no exception is raised, since a retry would send a second copy to those who received it.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from tasktrack.clock import SHANGHAI

logger = logging.getLogger(__name__)

#: RFC 5321 §4.5.3.2 suggests minutes; R4 caps ours so a hung server cannot stall the delivery job.
MAX_TIMEOUT = 30.0

# C0/C1 controls (incl. CR, LF, TAB, NEL), Unicode line/paragraph separators and bidi overrides.
_UNSAFE_HEADER_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_DOMAIN_CHARS = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP relay; ``local_hostname`` is the EHLO name (None: the machine's FQDN)."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 20.0
    mail_from: str = "tasktrack@localhost"
    local_hostname: str | None = None

    def __post_init__(self) -> None:
        """Refuse settings that could hang the sender or never connect."""
        if not 0 < self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"SMTP timeout must be in (0, {MAX_TIMEOUT:g}] seconds, got {self.timeout}")
        if not 0 < self.port < 65536:
            raise ValueError(f"invalid SMTP port {self.port}")
        try:
            _parse_address(self.mail_from)
        except PermanentMailError as exc:  # a configuration error, not a property of any message
            raise ValueError(f"invalid MAIL_FROM: {self.mail_from!r}") from exc

    def __repr__(self) -> str:
        """Describe the settings without the password."""
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"starttls={self.starttls}, timeout={self.timeout}, mail_from={self.mail_from!r})"
        )


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send, identified by its outbox idempotency key."""

    key: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    cc: tuple[str, ...] = ()


class MailError(Exception):
    """A message could not be handed to the SMTP server; ``code`` is the SMTP reply code if any."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        """Keep the reply code beside the message."""
        super().__init__(message)
        self.code = code


class TransientMailError(MailError):
    """Retry later: 4xx replies, time-outs, refused or reset connections, server/config trouble."""


class PermanentMailError(MailError):
    """Do not retry: 5xx for the message or all its recipients, or an invalid address."""


def sanitize_header(value: str) -> str:
    """Return ``value`` as one header line: control characters removed, whitespace collapsed."""
    return " ".join(_UNSAFE_HEADER_CHARS.sub(" ", value).split())


def _safe_domain(domain: str) -> str:
    try:
        ascii_domain = domain.strip().encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    ascii_domain = _DOMAIN_CHARS.sub("", ascii_domain).strip(".-")
    return ascii_domain or "localhost"


def message_id_for(key: str, domain: str) -> str:
    """Return the deterministic Message-ID ``<sha256-prefix.tasktrack@domain>`` for an outbox key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.tasktrack@{_safe_domain(domain)}>"


def link(base_url: str, endpoint: str, /, **values: Any) -> str:
    """Return an e-mail link under BASE_URL; kept for old callers, see :func:`tasktrack.notifications.link`."""
    from tasktrack.notifications import link as _link  # composing needs Flask; sending (this module) does not

    return _link(base_url, endpoint, **values)


def _parse_address(value: str) -> Address:
    """Parse one mailbox (``a@b`` or ``名字 <a@b>``) or raise PermanentMailError."""
    if _UNSAFE_HEADER_CHARS.search(value):
        raise PermanentMailError(f"invalid e-mail address (control characters): {value!r}")
    try:
        header = email.policy.SMTP.header_factory("To", value.strip())
        addresses = header.addresses
    except (ValueError, IndexError, TypeError) as exc:  # the header parser's failure modes
        raise PermanentMailError(f"invalid e-mail address: {value!r}") from exc
    if len(addresses) != 1 or header.defects:
        raise PermanentMailError(f"invalid e-mail address: {value!r}")
    addr = addresses[0]
    if not addr.username or not addr.domain or any(c.isspace() for c in addr.addr_spec):
        raise PermanentMailError(f"invalid e-mail address: {value!r}")
    return Address(display_name=sanitize_header(addr.display_name), addr_spec=addr.addr_spec)


def build_message(
    msg: OutgoingMessage, settings: SmtpSettings, *, now: dt.datetime | None = None
) -> EmailMessage:
    """Build the UTF-8 message (multipart/alternative when HTML is given) with a key-derived Message-ID.

    ``now`` is the Date header (aware); by default the wall clock, since Date records when the message
    left, not the business "today" that ``TASKTRACK_TODAY`` may pin. It is written in Asia/Shanghai
    (+0800), the time the recipients read; the Message-ID depends on the key only. Raises
    PermanentMailError for an invalid sender or recipient address or a message without recipients.
    """
    if not msg.to:
        raise PermanentMailError(f"message {msg.key!r} has no recipients")
    sender = _parse_address(settings.mail_from)
    date = now if now is not None else dt.datetime.now(dt.UTC)
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("now must be timezone-aware")

    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = [_parse_address(a) for a in msg.to]
    if msg.cc:
        message["Cc"] = [_parse_address(a) for a in msg.cc]
    message["Subject"] = sanitize_header(msg.subject)
    message["Date"] = email.utils.format_datetime(date.astimezone(SHANGHAI))
    message["Message-ID"] = message_id_for(msg.key, sender.domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to reminders
    message["X-Auto-Response-Suppress"] = "All"  # the same for Exchange/Outlook
    # base64 keeps Chinese text 7-bit clean through any relay at a third of QP's size.
    message.set_content(msg.text, subtype="plain", charset="utf-8", cte="base64")
    if msg.html is not None:
        message.add_alternative(msg.html, subtype="html", charset="utf-8", cte="base64")
    return message


def _reply_text(resp: bytes | str) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def _classify_reply(code: int, resp: bytes | str, what: str) -> MailError:
    text = f"{what}: {code} {_reply_text(resp)}"
    if 500 <= code < 600:
        return PermanentMailError(text, code=code)
    return TransientMailError(text, code=code)


def _open_session(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    code, resp = smtp.connect(settings.host, settings.port)
    if code != 220:
        raise smtplib.SMTPConnectError(code, resp)
    smtp.ehlo_or_helo_if_needed()
    if settings.starttls:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
    if settings.user:
        smtp.login(settings.user, settings.password or "")


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely if the connection is still up; never raise (the outcome is already decided)."""
    try:
        if smtp.sock is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


class SessionError(TransientMailError):
    """The SMTP session could not be opened (connect, greeting, EHLO, STARTTLS, AUTH): no message was tried."""


class SmtpSession:
    """One SMTP connection for many messages (the outbox's batches): opened at the first message, closed after a
    failure and opened again for the next one, QUIT at the end. Use as a context manager.

    Each :meth:`send` has the outcomes of :func:`send_message`; :class:`SessionError` says the server could not be
    reached at all (the delivery then gives the rest of its batch the same answer instead of trying each).
    """

    def __init__(self, settings: SmtpSettings) -> None:
        """Prepare a session; nothing is connected until the first message."""
        self.settings = settings
        self.where = f"{settings.host}:{settings.port}"
        self.connections = 0
        self._smtp: smtplib.SMTP | None = None
        self._envelope_from = _parse_address(settings.mail_from).addr_spec

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """QUIT and close the connection, if one is open (never raises)."""
        if self._smtp is not None:
            _close(self._smtp)
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        smtp = smtplib.SMTP(timeout=self.settings.timeout, local_hostname=self.settings.local_hostname)
        try:
            _open_session(smtp, self.settings)
        except smtplib.SMTPResponseException as exc:
            _close(smtp)
            raise SessionError(
                f"SMTP session with {self.where} failed: {exc.smtp_code} {_reply_text(exc.smtp_error)}",
                code=exc.smtp_code,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS, no AUTH
            _close(smtp)
            raise SessionError(f"SMTP session with {self.where} failed: {exc!r}") from exc
        self.connections += 1
        self._smtp = smtp
        return smtp

    def send(self, msg: OutgoingMessage) -> None:
        """Send one message on this connection, raising TransientMailError or PermanentMailError when it was not
        accepted (the connection is then closed; the next message opens a new one)."""
        message = build_message(msg, self.settings)
        recipients = list(dict.fromkeys(_parse_address(a).addr_spec for a in (*msg.to, *msg.cc)))
        where = self.where
        smtp = self._connection()
        try:
            refused = smtp.send_message(message, from_addr=self._envelope_from, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{r}: {c} {_reply_text(t)}" for r, (c, t) in exc.recipients.items())
            error_class = PermanentMailError if all(500 <= c < 600 for c in codes) else TransientMailError
            raise error_class(
                f"all recipients refused by {where}: {detail}", code=max(codes, default=None)
            ) from exc
        except smtplib.SMTPResponseException as exc:  # sender refused, DATA rejected
            self.close()
            raise _classify_reply(exc.smtp_code, exc.smtp_error, f"{where} rejected the message") from exc
        except smtplib.SMTPNotSupportedError as exc:  # non-ASCII address, server without SMTPUTF8
            self.close()
            raise PermanentMailError(f"{where} cannot take this message: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnected or timed out mid-transaction
            self.close()
            raise TransientMailError(f"sending to {where} failed: {exc!r}") from exc
        if refused:
            logger.warning(
                "message %s accepted by %s but refused for %s",
                msg.key,
                where,
                ", ".join(f"{r} ({c})" for r, (c, _) in refused.items()),
            )
        logger.info("message %s sent via %s as %s", msg.key, where, message["Message-ID"])


def send_message(msg: OutgoingMessage, settings: SmtpSettings) -> None:
    """Send one message on a connection of its own, raising TransientMailError or PermanentMailError when it was
    not accepted."""
    build_message(msg, settings)  # an invalid address is permanent before any connection is made
    with SmtpSession(settings) as session:
        session.send(msg)

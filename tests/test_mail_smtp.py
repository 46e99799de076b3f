"""SMTP sending against a real aiosmtpd server on loopback (RELIABILITY R4, R24)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
import logging
import re
import time

import pytest

from tasktrack.mail import (
    OutgoingMessage,
    PermanentMailError,
    SmtpSettings,
    TransientMailError,
    build_message,
    message_id_for,
    sanitize_header,
    send_message,
)
from tests.smtp_server import SmtpTestServer, silent_tcp_server, smtp_server_fixture

smtp_server = smtp_server_fixture()

SUBJECT = "【催办】关于“巩固拓展主题教育成果”任务（2024年7月底前）已逾期的提醒"
TEXT = "省民政厅：\n\n您单位牵头的第1项任务已逾期1天，请及时报送进展。\n\n浙江省清廉社会组织建设工作专班办公室\n"
HTML = "<p>省民政厅：</p><p>您单位牵头的<b>第1项任务</b>已逾期1天，请及时报送进展。</p>\n"


def settings_for(server: SmtpTestServer, **kw: object) -> SmtpSettings:
    """Return settings pointing at the test server."""
    base = SmtpSettings(
        host=server.host, port=server.port, timeout=5, mail_from="清廉专班 <tasktrack@zj.example.org>"
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def outgoing(key: str = "a:17:overdue:2024-07-31", **kw: object) -> OutgoingMessage:
    """Return a typical reminder."""
    base = OutgoingMessage(
        key=key, to=("省民政厅联络员 <liaison@mz.example.org>",), subject=SUBJECT, text=TEXT, html=HTML
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_chinese_subject_and_bodies_arrive_intact(smtp_server: SmtpTestServer) -> None:
    send_message(outgoing(), settings_for(smtp_server))

    [received] = smtp_server.messages
    msg = received.message
    assert received.mail_from == "tasktrack@zj.example.org"
    assert received.rcpt_tos == ("liaison@mz.example.org",)
    assert msg["Subject"] == SUBJECT
    assert msg["To"].addresses[0].display_name == "省民政厅联络员"
    assert msg["From"].addresses[0].display_name == "清廉专班"
    assert msg.get_content_type() == "multipart/alternative"
    parts = [(p.get_content_type(), p.get_content_charset()) for p in msg.iter_parts()]
    assert parts == [("text/plain", "utf-8"), ("text/html", "utf-8")]
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().replace("\r\n", "\n") == HTML
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"].datetime.tzinfo is not None
    # Nothing non-ASCII on the wire: headers are RFC 2047 encoded, bodies base64.
    assert received.raw.isascii()
    assert "催办".encode() not in received.raw


def test_long_chinese_subject_is_folded_and_decodes_unchanged(smtp_server: SmtpTestServer) -> None:
    subject = "关于" + "清廉社会组织建设工作任务" * 12 + "的督办通知"
    send_message(outgoing(subject=subject, html=None), settings_for(smtp_server))
    [received] = smtp_server.messages
    assert received.message["Subject"] == subject
    assert all(len(line) <= 998 for line in received.raw.split(b"\r\n"))
    assert received.message.get_content_type() == "text/plain"


def test_message_id_is_derived_from_the_key(smtp_server: SmtpTestServer) -> None:
    settings = settings_for(smtp_server)
    send_message(outgoing("a:17:overdue:2024-07-31"), settings)
    send_message(outgoing("a:17:overdue:2024-07-31"), settings)  # a resend after an ambiguous failure
    send_message(outgoing("a:17:overdue_repeat:1:2024-07-31"), settings)
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0] == message_id_for("a:17:overdue:2024-07-31", "zj.example.org")
    assert re.fullmatch(r"<[0-9a-f]{32}\.tasktrack@zj\.example\.org>", ids[0])


def test_header_injection_in_subject_is_neutralised(smtp_server: SmtpTestServer) -> None:
    send_message(outgoing(subject="进展提醒\r\nBcc: evil@x"), settings_for(smtp_server))
    [received] = smtp_server.messages
    assert received.message.get_all("Subject") == ["进展提醒 Bcc: evil@x"]
    assert received.message.get_all("Bcc") is None
    assert received.rcpt_tos == ("liaison@mz.example.org",)
    header_block = received.raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^bcc:", header_block, re.IGNORECASE | re.MULTILINE)


def test_cc_recipients_are_in_the_envelope_once(smtp_server: SmtpTestServer) -> None:
    msg = outgoing(
        to=("a@mz.example.org", "b@mz.example.org"), cc=("secretariat@zj.example.org", "a@mz.example.org")
    )
    send_message(msg, settings_for(smtp_server))
    [received] = smtp_server.messages
    assert received.rcpt_tos == ("a@mz.example.org", "b@mz.example.org", "secretariat@zj.example.org")
    assert [a.addr_spec for a in received.message["Cc"].addresses] == [
        "secretariat@zj.example.org",
        "a@mz.example.org",
    ]


@pytest.mark.parametrize(
    ("stage", "code", "error"),
    [
        ("data", 421, TransientMailError),
        ("data", 451, TransientMailError),
        ("data", 550, PermanentMailError),
        ("data", 554, PermanentMailError),
        ("rcpt", 421, TransientMailError),
        ("rcpt", 450, TransientMailError),
        ("rcpt", 550, PermanentMailError),
    ],
)
def test_smtp_replies_are_classified(
    smtp_server: SmtpTestServer, stage: str, code: int, error: type[Exception]
) -> None:
    smtp_server.fail(stage, code)  # type: ignore[arg-type]
    with pytest.raises(error, match=str(code)) as excinfo:
        send_message(outgoing(), settings_for(smtp_server))
    assert excinfo.value.code == code  # type: ignore[attr-defined]
    assert smtp_server.messages == []


def test_transient_failure_then_success(smtp_server: SmtpTestServer) -> None:
    smtp_server.fail("data", 421, times=1)
    with pytest.raises(TransientMailError):
        send_message(outgoing(), settings_for(smtp_server))
    send_message(outgoing(), settings_for(smtp_server))
    assert len(smtp_server.messages) == 1


def test_all_recipients_refused_mixed_codes_is_transient(smtp_server: SmtpTestServer) -> None:
    smtp_server.fail("rcpt", 550, recipients={"a@mz.example.org"})
    msg = outgoing(to=("a@mz.example.org",))
    with pytest.raises(PermanentMailError):
        send_message(msg, settings_for(smtp_server))
    smtp_server.fail("rcpt", 450)
    with pytest.raises(TransientMailError):
        send_message(outgoing(to=("a@mz.example.org", "b@mz.example.org")), settings_for(smtp_server))


def test_partly_refused_recipients_do_not_raise(
    smtp_server: SmtpTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.fail("rcpt", 550, recipients={"gone@mz.example.org"})
    msg = outgoing(to=("gone@mz.example.org", "here@mz.example.org"))
    with caplog.at_level(logging.WARNING, logger="tasktrack.mail"):
        send_message(msg, settings_for(smtp_server))  # raising would resend to here@ on retry
    [received] = smtp_server.messages
    assert received.rcpt_tos == ("here@mz.example.org",)
    assert "gone@mz.example.org (550)" in caplog.text


def test_server_down_is_transient_and_recovers_on_the_same_port(smtp_server: SmtpTestServer) -> None:
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(TransientMailError, match="ConnectionRefused"):
        send_message(outgoing(), settings_for(smtp_server))
    smtp_server.start()
    assert smtp_server.port == port
    send_message(outgoing(), settings_for(smtp_server))
    assert len(smtp_server.messages) == 1


def test_server_that_never_answers_times_out_as_transient() -> None:
    with silent_tcp_server() as (host, port):
        settings = SmtpSettings(host=host, port=port, timeout=1)
        started = time.monotonic()
        with pytest.raises(TransientMailError):
            send_message(outgoing(), settings)
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 4


def test_invalid_address_is_permanent_and_nothing_is_sent(smtp_server: SmtpTestServer) -> None:
    for bad in ("not-an-address", "a@b\r\nBcc: evil@x", "two@a.org, three@b.org", ""):
        with pytest.raises(PermanentMailError, match="invalid e-mail address"):
            send_message(outgoing(to=(bad,)), settings_for(smtp_server))
    with pytest.raises(PermanentMailError, match="no recipients"):
        send_message(outgoing(to=()), settings_for(smtp_server))
    assert smtp_server.messages == []


def test_login_when_configured() -> None:
    with SmtpTestServer(auth=("tasktrack", "s3cret")) as server:
        send_message(outgoing(), settings_for(server, user="tasktrack", password="s3cret"))
        assert len(server.messages) == 1
        with pytest.raises(TransientMailError, match="535"):
            send_message(outgoing(), settings_for(server, user="tasktrack", password="wrong"))
        assert len(server.messages) == 1


def test_starttls_required_but_not_offered_never_sends_in_clear(smtp_server: SmtpTestServer) -> None:
    with pytest.raises(TransientMailError, match="STARTTLS"):
        send_message(outgoing(), settings_for(smtp_server, starttls=True))
    assert smtp_server.messages == []


# -- building blocks without a server --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("进展提醒\r\nBcc: evil@x", "进展提醒 Bcc: evil@x"),
        ("a\nb\rc", "a b c"),
        ("  tabs\tand   spaces  ", "tabs and spaces"),
        ("nul\x00bell\x07esc\x1b", "nul bell esc"),
        ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
        ("rlo\u202eevil", "rlo evil"),
        ("正常标题（第1项）", "正常标题（第1项）"),
    ],
)
def test_sanitize_header(raw: str, clean: str) -> None:
    assert sanitize_header(raw) == clean


def test_message_id_for_is_deterministic_and_safe() -> None:
    mid = message_id_for("a:1:due_soon:14:2024-07-31", "example.org")
    assert mid == message_id_for("a:1:due_soon:14:2024-07-31", "example.org")
    assert mid != message_id_for("a:1:due_soon:3:2024-07-31", "example.org")
    assert re.fullmatch(r"<[0-9a-f]{32}\.tasktrack@example\.org>", mid)
    assert message_id_for("k", "evil.org>\r\nBcc: x").endswith("@evil.orgBccx>")
    assert message_id_for("k", "").endswith("@localhost>")
    assert message_id_for("k", "民政.中国").endswith("@xn--5bvs5m.xn--fiqs8s>")


def test_build_message_headers() -> None:
    now = dt.datetime(2024, 8, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    msg = build_message(outgoing(html=None), SmtpSettings(host="localhost"), now=now)
    assert msg["From"] == "tasktrack@localhost"
    assert msg["Date"] == "Thu, 01 Aug 2024 09:00:00 +0800"
    assert msg["Message-ID"] == message_id_for("a:17:overdue:2024-07-31", "localhost")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "text/plain"
    assert msg["Content-Transfer-Encoding"] == "base64"
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == SUBJECT


def test_settings_guard_timeout_and_sender_and_hide_password() -> None:
    with pytest.raises(ValueError, match="timeout"):
        SmtpSettings(host="x", timeout=0)
    with pytest.raises(ValueError, match="timeout"):
        SmtpSettings(host="x", timeout=120)
    with pytest.raises(ValueError, match="MAIL_FROM"):
        SmtpSettings(host="x", mail_from="nobody")
    assert "hunter2" not in repr(SmtpSettings(host="x", user="u", password="hunter2"))

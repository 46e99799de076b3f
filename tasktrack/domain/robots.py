"""DingTalk (浙政钉) group robots, as pure rules: what a webhook and a signing secret may look like, how a
request is signed, and how a webhook is shown without its token (no Flask, no database).

The custom robot's signing rule (DingTalk 自定义机器人 · 加签): ``sign`` is the Base64 of
HMAC-SHA256(key=secret, message=f"{timestamp}\\n{secret}"), URL-encoded, with ``timestamp`` the current time in
milliseconds; both go into the webhook's query string. DingTalk refuses a timestamp more than an hour from its
own clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

#: The longest webhook we store (DingTalk's are ~120 characters; the column is 500).
MAX_WEBHOOK_LENGTH = 500
#: A signing secret as DingTalk issues it: "SEC" and 64 hexadecimal digits.
SECRET_FORM = re.compile(r"SEC[0-9a-fA-F]{64}")
#: Query parameters that carry the robot's credential; pages and logs show them masked.
TOKEN_PARAMS = frozenset({"access_token", "token", "key"})
MASK = "****"

_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")


class RobotInputError(ValueError):
    """A webhook or secret that cannot be used; the message is for the person who typed it."""

    def __init__(self, message: str, *, field: str) -> None:
        """Keep the form field the message belongs to."""
        super().__init__(message)
        self.message = message
        self.field = field


def clean_webhook(text: str) -> str:
    """Return the webhook URL ``text`` (trimmed) or raise RobotInputError saying what is wrong with it."""
    url = (text or "").strip()
    field = "dingtalk_webhook"
    if not url:
        raise RobotInputError("请填写钉钉机器人的 Webhook 地址", field=field)
    if len(url) > MAX_WEBHOOK_LENGTH:
        raise RobotInputError(f"Webhook 地址过长（最多 {MAX_WEBHOOK_LENGTH} 个字符）", field=field)
    if _UNSAFE.search(url):
        raise RobotInputError("Webhook 地址不能包含空格或控制字符", field=field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RobotInputError("Webhook 地址格式不正确", field=field) from exc
    if parts.scheme.lower() not in ("https", "http"):
        raise RobotInputError("Webhook 地址必须以 https:// 或 http:// 开头", field=field)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RobotInputError("Webhook 地址中不能包含用户名或密码", field=field)
    if not parts.hostname or port == 0:
        raise RobotInputError("Webhook 地址缺少主机名", field=field)
    if parts.fragment:
        raise RobotInputError("Webhook 地址不能包含“#”片段", field=field)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if "timestamp" in query or "sign" in query:
        raise RobotInputError("请填写机器人原始的 Webhook 地址（不含 timestamp 和 sign 参数）", field=field)
    return url


def clean_secret(text: str) -> str:
    """Return the signing secret ``text`` (trimmed) or raise RobotInputError."""
    secret = (text or "").strip()
    if not SECRET_FORM.fullmatch(secret):
        raise RobotInputError("加签密钥格式不正确：应为 SEC 开头、后跟 64 位十六进制字符"
                              "（在钉钉群机器人的“安全设置 · 加签”中复制）", field="dingtalk_secret")
    return secret


def sign(secret: str, timestamp_ms: int) -> str:
    """Return the URL-encoded signature of ``timestamp_ms`` under ``secret`` (the custom robot's rule)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def signed_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    """Return ``webhook`` with ``timestamp`` and ``sign`` appended to its query string."""
    joiner = "&" if urlsplit(webhook).query else ("" if webhook.endswith("?") else "?")
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def mask_webhook(webhook: str | None) -> str:
    """Return ``webhook`` with its token parameters masked (what pages may show); "" for none."""
    if not webhook:
        return ""
    try:
        parts = urlsplit(webhook)
    except ValueError:
        return MASK
    query = [(k, MASK if k.lower() in TOKEN_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))

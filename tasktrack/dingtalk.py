"""Send one markdown message to a DingTalk (浙政钉) group robot, and keep robot secrets sealed at rest.

The outbox (services/outbox.py) calls :func:`send` once per DingTalk row, as it calls mail.send_message for
e-mail, and reads the same two outcomes: :class:`TransientRobotError` (retry with backoff) or
:class:`PermanentRobotError` (dead: a person must fix the robot, then 重新发送).

Classification of the robot's answer:

* HTTP 200 with JSON ``errcode`` 0: sent;
* ``errcode`` of a refused credential — the token does not exist or is invalid, the signature, keyword or
  IP check failed, the robot is disabled — and HTTP 4xx (except 408/429) or a redirect: **permanent**;
* any other ``errcode`` (sending too fast, system busy), HTTP 5xx, 408/429, an answer that is not JSON,
  a time-out, a refused or reset connection: **transient**.

The webhook carries the robot's access token and the secret signs every request; neither is ever written to
a log, an error message or a page (errors name the robot's host only). Secrets are stored encrypted (Fernet)
with a key derived from SECRET_KEY: a changed SECRET_KEY makes them unreadable, and delivery then says to set
the secret again.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tasktrack.domain.robots import signed_url
from tasktrack.mail import PermanentMailError, TransientMailError

logger = logging.getLogger(__name__)

#: The longest wait for a robot's answer (a hung server must not stall the delivery job).
MAX_TIMEOUT = 30.0
#: errcodes that refuse the robot's credential or configuration: retrying cannot help.
PERMANENT_ERRCODES = frozenset({
    300001,  # token 无效 / 不存在
    300005,  # token 不存在
    310000,  # 安全设置校验未通过：签名不匹配、时间戳超时、关键词不符或 IP 不在白名单
    400101,  # 机器人不存在
    400102,  # 机器人已停用
})
_KDF_INFO = b"tasktrack dingtalk robot secret v1"


def derive_key(secret_key: str) -> bytes:
    """Return the Fernet key for robot secrets, derived from the app's SECRET_KEY (HKDF-SHA256)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


@dataclass(frozen=True)
class RobotSettings:
    """How the delivery job talks to robots (DINGTALK_TIMEOUT) and the key that seals their secrets."""

    timeout: float = 5.0
    key: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        """Refuse a time-out that could stall delivery."""
        if not 0 < self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"DINGTALK_TIMEOUT must be in (0, {MAX_TIMEOUT:g}] seconds, got {self.timeout}")


def seal(secret: str, settings: RobotSettings) -> str:
    """Return ``secret`` encrypted for storage."""
    return Fernet(settings.key).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(stored: str, settings: RobotSettings) -> str:
    """Return the secret stored as ``stored``; PermanentRobotError when this SECRET_KEY cannot read it."""
    try:
        return Fernet(settings.key).decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError) as exc:
        raise PermanentRobotError("机器人加签密钥无法解密（SECRET_KEY 可能已更换），请重新设置加签密钥") from exc


@dataclass(frozen=True)
class Robot:
    """Where a message goes: the webhook and its signing secret (plain, in memory only)."""

    webhook: str
    secret: str = field(repr=False)

    def __repr__(self) -> str:
        """Name the robot's host only."""
        return f"Robot({self.host})"

    @property
    def host(self) -> str:
        """Return the webhook's host (what errors and logs may name)."""
        return urlsplit(self.webhook).hostname or "?"


@dataclass(frozen=True)
class RobotMessage:
    """One markdown message, identified by its outbox key."""

    key: str
    title: str
    text: str


class TransientRobotError(TransientMailError):
    """Retry later: HTTP 5xx, time-outs, connection errors, busy or rate-limited robots."""


class PermanentRobotError(PermanentMailError):
    """Do not retry: the robot refused its credential (token, signature), 4xx, or no robot is set."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a webhook that redirects is misconfigured; never re-send the signed request elsewhere


_OPENER = urllib.request.build_opener(_NoRedirect)


def payload(message: RobotMessage) -> bytes:
    """Return the JSON body of a markdown message."""
    body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.text}}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def send(message: RobotMessage, robot: Robot, settings: RobotSettings, *,
         clock: Any = time.time) -> None:
    """Post ``message`` to ``robot`` signed with the current time; raise Transient/PermanentRobotError."""
    timestamp = int(clock() * 1000)
    request = urllib.request.Request(signed_url(robot.webhook, robot.secret, timestamp), data=payload(message),
                                     method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
    where = f"钉钉机器人 {robot.host}"
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        code = exc.code
        exc.close()
        if 500 <= code < 600 or code in (408, 429):
            raise TransientRobotError(f"{where} 返回 HTTP {code}", code=code) from None
        raise PermanentRobotError(f"{where} 拒绝了请求：HTTP {code}", code=code) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        kind = "超时" if isinstance(reason, (TimeoutError, socket.timeout)) else type(reason).__name__
        raise TransientRobotError(f"{where} 连接失败（{kind}）") from None
    try:
        answer = json.loads(raw.decode("utf-8"))
        errcode = int(answer.get("errcode", -1))
        errmsg = str(answer.get("errmsg", ""))[:200]
    except (ValueError, AttributeError, TypeError):
        raise TransientRobotError(f"{where} 返回了无法识别的应答（HTTP {status}）") from None
    if errcode == 0:
        logger.info("robot message %s sent via %s", message.key, robot.host)
        return
    text = f"{where} 返回错误 {errcode}：{errmsg}"
    if errcode in PERMANENT_ERRCODES:
        raise PermanentRobotError(text, code=errcode)
    raise TransientRobotError(text, code=errcode)

"""Password hashing (Argon2id, R20) and the rules a new password must meet (README "Passwords")."""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 128

#: A few thousand passwords that top the published leak analyses, Chinese and English, keyboard walks, digit
#: runs and this system's own words (built by scripts/build_common_passwords.py). The full breached-list check
#: needs a service we do not have on an intranet.
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
#: The demo accounts' password is printed in the README: only `seed --demo` may give it to an account.
DEMO_FILE = Path(__file__).resolve().parent.parent / "seed" / "demo.yaml"

_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_CJK = re.compile(r"[\u3400-\u9fff]")

_DEFAULT = PasswordHasher()
#: For the test suite only: the same algorithm with tiny cost, so hundreds of logins stay fast.
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hasher(fast: bool = False) -> PasswordHasher:
    """Return the password hasher (the cheap one only when the config says so)."""
    return _FAST if fast else _DEFAULT


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower-case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def demo_password() -> str | None:
    """Return the demo accounts' published password (seed/demo.yaml), if the seed is there."""
    try:
        data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")) or {}
    except OSError:
        return None
    value = data.get("password") if isinstance(data, dict) else None
    return str(value) if value else None


def _name_parts(name: str) -> list[str]:
    """Return the parts of a person's name worth looking for: the whole name and its words (2+ CJK or 3+ others)."""
    compact = re.sub(r"\s+", "", name.strip().lower())
    parts = {compact, *name.strip().lower().split()}
    return [p for p in parts if len(p) >= 3 or (len(p) >= 2 and _CJK.search(p))]


def _patterned(lowered: str) -> bool:
    """Return whether a password is one character, a run (abcdef…, 98765…) or a short unit repeated."""
    if len(set(lowered)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(lowered)}
    if len(steps) == 1 and steps <= {-1, 1}:
        return True
    return any(len(lowered) % k == 0 and lowered == lowered[:k] * (len(lowered) // k) for k in range(1, 5))


def is_common(password: str) -> bool:
    """Return whether a password is on the list (as it is, or once digits and symbols at its ends are cut off)."""
    lowered = password.lower()
    core = _ENDS.sub("", lowered)
    common = common_passwords()
    return lowered in common or (len(core) >= 4 and core in common) or _patterned(lowered)


def password_problem(password: str, *, email: str = "", name: str = "", demo_account: bool = False) -> str | None:
    """Return why a new password is refused (Chinese, for the password field), or None when it is acceptable.

    ``demo_account`` is passed only by `seed --demo`: the one place the README's demo password may be set.
    """
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    lowered = password.lower()
    demo = demo_password()
    if demo and lowered == demo.lower():
        return None if demo_account else "这是演示账号公开的密码（写在说明文档里），正式账号不能使用"
    address = email.strip().lower()
    local = address.split("@")[0]
    if address and (address in lowered or (len(local) >= 3 and local in lowered)):
        return "密码不能包含登录邮箱或邮箱 @ 前面的部分"
    if any(part in lowered for part in _name_parts(name)):
        return "密码不能包含姓名"
    if is_common(password):
        return "该密码过于常见或有规律（常用密码、键盘顺序、连续或重复的字符），容易被猜到，请换一个"
    return None


def hash_password(password: str, *, fast: bool = False) -> str:
    """Return the Argon2id hash of a password."""
    return hasher(fast).hash(password)


def verify_password(stored_hash: str, password: str, *, fast: bool = False) -> tuple[bool, str | None]:
    """Check a password; return (ok, new_hash) where new_hash is set when the hash should be upgraded."""
    h = hasher(fast)
    try:
        h.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if h.check_needs_rehash(stored_hash):
        return True, h.hash(password)
    return True, None


#: A hash to verify against when the account does not exist, so timing does not reveal accounts. Written out
#: (the default hasher's hash of a throwaway password) rather than computed at import: hashing costs every process
#: that imports the app (each gunicorn worker, each `flask` command) most of a second of CPU.
#: tests/web/test_password_rules.py checks that it still has the default hasher's cost.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$MlNn9m7Se3QGKUQXkZ3W8g$SduP1ChS2qCTsef90022uNs/qfa1VtKuV4fPn74lApU"

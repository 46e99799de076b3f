"""Password hashing (Argon2id, R20) and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 128

#: A short list of passwords seen in every breach; the full breached-list check needs a service we
#: do not have on an intranet, so we refuse at least the worst offenders.
COMMON_PASSWORDS = frozenset(
    {
        "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888",
        "66666666", "password", "password1", "passw0rd", "qwertyui", "qwerty123", "abc12345",
        "abcd1234", "a1234567", "aa123456", "1q2w3e4r", "iloveyou", "admin123", "admin888",
        "woaini1314", "123123123", "5201314520", "zxcvbnm1", "asdfghjk", "1qaz2wsx", "qazwsxedc",
    }
)

_DEFAULT = PasswordHasher()
#: For the test suite only: the same algorithm with tiny cost, so hundreds of logins stay fast.
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hasher(fast: bool = False) -> PasswordHasher:
    """Return the password hasher (the cheap one only when the config says so)."""
    return _FAST if fast else _DEFAULT


def password_problem(password: str, *, email: str = "") -> str | None:
    """Return why a new password is refused (Chinese), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        return "该密码过于常见，容易被猜到，请换一个"
    if email and lowered == email.lower().split("@")[0]:
        return "密码不能与账号相同"
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


#: A hash to verify against when the account does not exist, so timing does not reveal accounts.
DUMMY_HASH = _DEFAULT.hash("not-a-real-account-password")

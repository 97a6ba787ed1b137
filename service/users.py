"""Accounts, roles and bearer/session tokens (argon2 password hashes)."""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from datetime import UTC, datetime, timedelta

import duckdb
from pwdlib import PasswordHash

from foundation.actor import Role, User
from foundation.cache import ACCOUNTS, cached, invalidate
from foundation.db import after_commit, apply_migrations, transaction
from foundation.errors import ConflictError, InputError, Problem

_hasher = PasswordHash.recommended()

USERNAME_CHARS = set(string.ascii_letters + string.digits + "._-")
USERNAME_MIN, USERNAME_MAX, PASSWORD_MIN = 2, 40, 8


def username_problems(username: str) -> list[Problem]:
    """What is wrong with a new username, one problem per rule broken (empty list: fine).

    Rules: 2–40 characters; letters a–z (no accents), digits, dot, dash or underscore; no spaces.
    """
    problems = []
    if any(c.isspace() for c in username):
        problems.append(Problem("a username cannot contain a space", column="username",
                                code="accounts.username_space"))
    bad = sorted({c for c in username if c not in USERNAME_CHARS and not c.isspace()})
    if bad:
        problems.append(Problem(f"not allowed in a username: {' '.join(bad)}", column="username",
                                code="accounts.username_chars", params={"chars": " ".join(bad)}))
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        problems.append(Problem(f"use {USERNAME_MIN}–{USERNAME_MAX} characters", column="username",
                                code="accounts.username_length", params={"min": USERNAME_MIN, "max": USERNAME_MAX}))
    return problems


def password_problems(password: str, column: str = "password") -> list[Problem]:
    """What is wrong with a new password (the one rule: at least :data:`PASSWORD_MIN` characters)."""
    if len(password) < PASSWORD_MIN:
        return [Problem(f"use at least {PASSWORD_MIN} characters", column=column,
                        code="accounts.password_short", params={"min": PASSWORD_MIN})]
    return []


def role_problems(role: Role | str, column: str = "role") -> list[Problem]:
    """What is wrong with a role given for an account: none chosen, or not one of :class:`Role`."""
    if not str(role).strip():
        return [Problem("choose a role", column=column, code="accounts.role_choose")]
    if str(getattr(role, "value", role)) not in {r.value for r in Role}:
        return [Problem(f"{role!r} is not a role", column=column, code="accounts.role_unknown",
                        params={"role": str(role)})]
    return []


def hash_password(password: str) -> str:
    """The argon2 hash stored for ``password``."""
    return _hasher.hash(password)



def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the ``service`` schema."""
    apply_migrations(con, schema="service", package="service.migrations")


def create_user(
    con: duckdb.DuckDBPyConnection, *, username: str, password: str, role: Role | str,
    display_name: str | None = None,
) -> User:
    """Create an account; the password is stored only as an argon2 hash.

    Every rule broken is one problem naming its field (``username``, ``password``, ``role``); a
    username already in use is a :class:`ConflictError` naming ``username``.
    """
    problems = username_problems(username) + password_problems(password) + role_problems(role)
    if problems:
        raise InputError(f"account {username!r} not created: " + "; ".join(p.message for p in problems), problems,
                         code="accounts.not_created")
    role = Role(role)
    if con.execute("SELECT 1 FROM service.users WHERE username = ?", [username]).fetchone():
        raise ConflictError(f"username: {username!r} already exists",
                            [Problem("this username already exists", column="username",
                                     code="accounts.username_exists")],
                            code="accounts.username_taken", params={"username": username})
    con.execute(
        "INSERT INTO service.users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
        [username, display_name or username, role.value, _hasher.hash(password)],
    )
    return User(username, display_name or username, role)


def authenticate(con: duckdb.DuckDBPyConnection, *, username: str, password: str) -> User | None:
    """The user if the password is right and the account active, else ``None``."""
    row = con.execute(
        "SELECT display_name, role, password_hash FROM service.users WHERE username = ? AND active",
        [username],
    ).fetchone()
    if row is None:
        _hasher.hash(password)  # same work either way: no user enumeration by timing
        return None
    if not _hasher.verify(password, row[2]):
        return None
    return User(username, row[0], Role(row[1]))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    con: duckdb.DuckDBPyConnection, *, username: str, kind: str = "api",
    lifetime: timedelta = timedelta(hours=12),
) -> str:
    """A new random token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC).replace(tzinfo=None) + lifetime
    with transaction(con):
        con.execute(
            "INSERT INTO service.tokens (token_hash, username, kind, expires_at) VALUES (?, ?, ?, ?)",
            [_digest(token), username, kind, expires],
        )
    return token


#: How long a verified token is trusted without asking the database again (a backstop: every change
#: made through werkbrug drops the verified tokens at once, see :func:`tokens_changed`).
TOKEN_TRUST_SECONDS = 10.0
_MAX_VERIFIED = 1024


def _verified(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[User, datetime, float]]:
    """This database's verified tokens: token hash → (user, expiry, when verified), dropped on
    :data:`~foundation.cache.ACCOUNTS`."""
    return cached(con, "service.verified_tokens", dict, on=(ACCOUNTS,), maxsize=16)


def user_for_token(con: duckdb.DuckDBPyConnection, token: str) -> User | None:
    """The active user a non-expired token belongs to.

    A token verified in the last :data:`TOKEN_TRUST_SECONDS` is answered from memory (still
    checked against its expiry); revoking it, ending an account's sessions, changing its role or
    password or switching it off drops every verified token of the database after the commit.
    """
    key = _digest(token)
    now = datetime.now(UTC).replace(tzinfo=None)
    verified = _verified(con)
    hit = verified.get(key)
    if hit is not None and hit[1] > now and time.monotonic() - hit[2] < TOKEN_TRUST_SECONDS:
        return hit[0]
    row = con.execute(
        """SELECT u.username, u.display_name, u.role, t.expires_at FROM service.tokens t
           JOIN service.users u USING (username)
           WHERE t.token_hash = ? AND t.expires_at > ? AND u.active""",
        [key, now],
    ).fetchone()
    if row is None:
        verified.pop(key, None)
        return None
    user = User(row[0], row[1], Role(row[2]))
    if len(verified) >= _MAX_VERIFIED:
        verified.clear()
    verified[key] = (user, row[3], time.monotonic())
    return user


def tokens_changed(con: duckdb.DuckDBPyConnection) -> None:
    """Tokens or the accounts they belong to changed: forget every verified token once committed."""
    after_commit(lambda: invalidate(con, ACCOUNTS))


def revoke_token(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute("DELETE FROM service.tokens WHERE token_hash = ?", [_digest(token)])
    tokens_changed(con)


def active_coaches(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """``(username, display name)`` of every active coach account, by name (the choices of a coach field)."""
    return [tuple(r) for r in con.execute(
        "SELECT username, display_name FROM service.users WHERE role = 'coach' AND active ORDER BY display_name"
    ).fetchall()]


def display_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``{username: display name}`` of every account (people are shown by name, not by username)."""
    return dict(con.execute("SELECT username, display_name FROM service.users").fetchall())

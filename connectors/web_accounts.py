"""The accounts of the web pages and their audit log (tables ``web_users``,
``web_audit``): a small store with only what the pages and ``cchc users add`` need.

Passwords are kept as argon2id hashes (argon2-cffi); a one-time password is made here and
returned once, never stored in clear. Failed logins are counted per account; after
:data:`MAX_FAILED_LOGINS` in a row the account is locked for :data:`LOCK_FOR`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.errors import CchcError
from connectors.database import Database
from connectors.db_schema import WebAuditRow, WebUserRow
from connectors.db_session import Tables

AGENCY, PROVINCE = "agency", "province"
MAX_FAILED_LOGINS = 5
LOCK_FOR = timedelta(minutes=15)
_HASHER = PasswordHasher()
# verified against when the e-mail is unknown, so both answers take as long
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class AccountExists(CchcError, ValueError):
    """An account with this e-mail already exists (the message is Vietnamese)."""


@dataclass(frozen=True)
class WebUser:
    email: str
    role: str  # AGENCY or PROVINCE
    agency_code: str | None  # the agency's code; None for the province role


@dataclass(frozen=True)
class LoginResult:
    user: WebUser | None  # None: refused
    locked_until: datetime | None = None  # set when the account is (now) locked


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    email: str | None
    action: str
    detail: str | None
    client: str | None


def normal_email(email: str) -> str:
    return email.strip().lower()


class WebAccounts(Tables):
    """Accounts and audit log on the reporting database."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)

    def add(self, email: str, *, agency_code: str | None, now: datetime) -> str:
        """Create an account (an agency's, or the province role's when ``agency_code`` is
        None) and return its one-time password, which is stored only as a hash."""
        password = secrets.token_urlsafe(12)
        role = AGENCY if agency_code else PROVINCE
        try:
            with self._session() as s:
                s.add(WebUserRow(email=normal_email(email), role=role,
                                 agency_code=agency_code, password_hash=_HASHER.hash(password),
                                 failed_logins=0, locked_until=None, created_at=now))
        except IntegrityError as exc:
            raise AccountExists(f"đã có tài khoản với địa chỉ «{normal_email(email)}»") from exc
        return password

    def login(self, email: str, password: str, now: datetime) -> LoginResult:
        """Check a password: the account on success (its failure count reset); refused
        for an unknown e-mail, a wrong password, or a locked account (a locked account is
        refused even with the right password, and its lock is not extended)."""
        with self._session() as s:
            row = s.scalars(select(WebUserRow).filter_by(email=normal_email(email))
                            .with_for_update()).first()
            if row is None:
                _verify(_DUMMY_HASH, password)
                return LoginResult(None)
            if row.locked_until is not None and row.locked_until > now:
                return LoginResult(None, row.locked_until)
            if _verify(row.password_hash, password):
                row.failed_logins, row.locked_until = 0, None
                return LoginResult(WebUser(row.email, row.role, row.agency_code))
            row.failed_logins += 1
            if row.failed_logins >= MAX_FAILED_LOGINS:
                row.failed_logins, row.locked_until = 0, now + LOCK_FOR
                return LoginResult(None, row.locked_until)
            return LoginResult(None)

    def audit(self, action: str, *, email: str | None, at: datetime,
              detail: str | None = None, client: str | None = None) -> None:
        with self._session() as s:
            s.add(WebAuditRow(at=at, email=email, action=action, detail=detail,
                              client=client))

    def audit_log(self, email: str | None = None) -> list[AuditEntry]:
        """The audit entries, oldest first (of one e-mail when given)."""
        query = select(WebAuditRow).order_by(WebAuditRow.id)
        if email is not None:
            query = query.filter_by(email=normal_email(email))
        with self._session() as s:
            return [AuditEntry(r.at, r.email, r.action, r.detail, r.client)
                    for r in s.scalars(query)]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False

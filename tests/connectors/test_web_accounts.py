"""Web accounts in the real database: only an argon2id hash is kept, a password is checked
against it, an address is unique whatever its case, and a lock lasts its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.database import Database
from connectors.db_schema import WebUserRow
from connectors.web_accounts import LOCK_FOR, MAX_FAILED_LOGINS, AccountExists, WebAccounts

NOW = datetime(2025, 5, 16, 9, tzinfo=UTC)


def test_only_an_argon2id_hash_of_the_one_time_password_is_stored(db: Database) -> None:
    accounts = WebAccounts(db)
    password = accounts.add("Van.Thu@STP.example.vn", agency_code="STP", now=NOW)
    with db.engine.connect() as conn:
        [row] = conn.execute(select(WebUserRow.email, WebUserRow.role,
                                    WebUserRow.password_hash)).all()
    assert row.email == "van.thu@stp.example.vn" and row.role == "agency"
    assert row.password_hash.startswith("$argon2id$") and password not in row.password_hash
    user = accounts.login("van.thu@stp.example.vn", password, NOW).user
    assert user is not None and user.agency_code == "STP"
    assert accounts.login("van.thu@stp.example.vn", password + "x", NOW).user is None
    with pytest.raises(AccountExists):
        accounts.add("VAN.THU@stp.example.vn", agency_code="STP", now=NOW)


def test_a_locked_account_opens_again_after_its_lock(db: Database) -> None:
    accounts = WebAccounts(db)
    password = accounts.add("snv@example.vn", agency_code=None, now=NOW)
    results = [accounts.login("snv@example.vn", "sai", NOW) for _ in range(MAX_FAILED_LOGINS)]
    assert results[-1].locked_until == NOW + LOCK_FOR
    assert accounts.login("snv@example.vn", password, NOW + LOCK_FOR / 2).user is None
    later = NOW + LOCK_FOR + timedelta(seconds=1)
    user = accounts.login("snv@example.vn", password, later).user
    assert user is not None and user.role == "province"

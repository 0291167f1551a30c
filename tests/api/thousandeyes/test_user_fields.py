"""/v7 users carry what the vendor's schema requires and never a null it does not allow: every
user has a login account group, `lastLogin` is left out until there is one, and the role arrays
of a request are arrays or left out."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update

from rosterd.storage import SqlDirectoryStore
from rosterd.storage import tables as t
from tests.api.kandji.conftest import Directory
from tests.api.thousandeyes.test_users import new_user
from tests.support.orgs import TestOrg


def _directory_user(org: TestOrg, store: SqlDirectoryStore, email: str) -> str:
    directory = Directory(org, store)
    directory.import_users(directory.integration(), [{"email": email, "name": "Dana Dir"}])
    return str(directory.user(email).uid)


def test_a_directory_user_logs_in_to_the_default_account_group(
    client: httpx.Client, org: TestOrg, store: SqlDirectoryStore
) -> None:
    uid = _directory_user(org, store, "dana.dir@example.com")
    default = {"aid": org.aid, "accountGroupName": org.name}

    detail = client.get(f"/users/{uid}").json()
    listed = next(u for u in client.get("/users").json()["users"] if u["uid"] == uid)

    assert detail["loginAccountGroup"] == default
    assert listed["loginAccountGroup"] == default
    assert "lastLogin" not in detail
    assert "lastLogin" not in listed


def test_last_login_is_sent_once_there_is_one(
    client: httpx.Client, org: TestOrg, store: SqlDirectoryStore
) -> None:
    uid = new_user(client).json()["uid"]
    with store.engine.begin() as conn:
        conn.execute(
            update(t.users)
            .where(t.users.c.uid == int(uid))
            .values(last_login=datetime(2026, 7, 17, 22, 0, 54, tzinfo=UTC))
        )

    detail = client.get(f"/users/{uid}").json()
    listed = next(u for u in client.get("/users").json()["users"] if u["uid"] == uid)

    assert detail["lastLogin"] == "2026-07-17T22:00:54Z"
    assert list(detail)[-1] == "lastLogin"
    assert listed["lastLogin"] == "2026-07-17T22:00:54Z"
    assert list(listed) == [
        "uid",
        "name",
        "email",
        "dateRegistered",
        "loginAccountGroup",
        "lastLogin",
    ]


@pytest.mark.parametrize("field", ["accountGroupRoles", "allAccountGroupRoleIds"])
def test_role_arrays_sent_as_null_are_refused(client: httpx.Client, field: str) -> None:
    created = new_user(client).json()
    for response in (
        new_user(client, **{field: None}),
        client.put(f"/users/{created['uid']}", json={field: None}),
    ):
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {"code": "LIST_TYPE", "field": field, "message": "Input should be a valid array"}
        ]
    assert client.get(f"/users/{created['uid']}").json() == created

"""GET /v7/audit-user-events: the activity log of an account group, its range and its pages."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR, Actor, record
from rosterd.storage import SqlDirectoryStore
from tests.api.thousandeyes.test_account_groups import as_user, member
from tests.api.thousandeyes.test_account_groups import create as create_group
from tests.api.thousandeyes.test_roles import create as create_role
from tests.api.thousandeyes.test_roles import errors
from tests.api.thousandeyes.test_users import new_user
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer


def events(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/audit-user-events", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["auditEvents"]
    return found


def summary(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(e["aid"], e["event"], e["resources"][0]["name"]) for e in found]


def admin_label(org: TestOrg) -> str:
    return f"{org.admin.name} ({org.admin.email})"


def test_changes_are_listed_oldest_first_with_the_vendors_fields(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    user = new_user(client, name="Jane Doe").json()
    create_role(client, "Helpdesk")
    create_group(client, "EMEA")

    response = client.get("/audit-user-events")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    href = f"{live_server.thousandeyes_url}/audit-user-events"
    assert body["_links"] == {"self": {"href": href}}
    assert "startDate" not in body  # no range asked for: the whole log
    made_by_admin = {
        "aid": org.aid,
        "accountGroupName": org.name,
        "uid": str(org.admin.uid),
        "user": admin_label(org),
    }
    found = body["auditEvents"]
    assert all(e["date"] <= f["date"] for e, f in itertools.pairwise(found))
    # The organization was made by the CLI, outside any account group: its events are shown
    # in the default group, by nobody.
    assert found[0] == {
        "aid": org.aid,
        "accountGroupName": org.name,
        "date": found[0]["date"],
        "event": "Organization created.",
        "resources": [{"type": "organizationName", "name": org.name}],
    }
    assert found[-3:] == [
        made_by_admin
        | {
            "date": found[-3]["date"],
            "event": "User created.",
            "resources": [{"type": "userDisplayName", "name": f"Jane Doe ({user['email']})"}],
        },
        made_by_admin
        | {
            "date": found[-2]["date"],
            "event": "Role created.",
            "resources": [{"type": "roleName", "name": "Helpdesk"}],
        },
        made_by_admin
        | {
            "date": found[-1]["date"],
            "event": "Account group created.",
            "resources": [{"type": "accountGroupName", "name": "EMEA"}],
        },
    ]
    assert list(found[-1]) == [
        "aid",
        "accountGroupName",
        "date",
        "event",
        "uid",
        "user",
        "resources",
    ]


def test_each_account_group_has_its_own_log(client: httpx.Client, org: TestOrg) -> None:
    second = str(org.add_account_group("Second").aid)
    in_second = [{"accountGroupId": second, "roleIds": ["3"]}]
    new_user(client, aid=second, name="Sam Second", accountGroupRoles=in_second)
    new_user(client, name="Hank Home")

    home = summary(events(client))
    there = summary(events(client, aid=second))
    everywhere = summary(events(client, useAllPermittedAids="true"))

    assert [s for s in home if s[1] == "User created."] == [
        (org.aid, "User created.", _label(home, "Hank Home"))
    ]
    assert [s for s in there if s[1] == "User created."] == [
        (second, "User created.", _label(there, "Sam Second"))
    ]
    assert [s[0] for s in everywhere if s[1] == "User created."] == [second, org.aid]
    # Events made outside any group count as the default group's, wherever one looks from.
    assert "Organization created." not in {s[1] for s in there}
    assert "Organization created." in {s[1] for s in everywhere}


def _label(found: list[tuple[str, str, str]], name: str) -> str:
    return next(s[2] for s in found if s[2].startswith(f"{name} ("))


def test_all_permitted_groups_are_those_the_caller_may_view_the_log_in(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    second = str(org.add_account_group("Second").aid)
    new_user(client, aid=second, accountGroupRoles=[{"accountGroupId": second, "roleIds": ["3"]}])
    # Account Admin (which may view the log) at home, Regular User (which may not) there.
    created = new_user(
        client,
        accountGroupRoles=[
            {"accountGroupId": org.aid, "roleIds": ["2"]},
            {"accountGroupId": second, "roleIds": ["3"]},
        ],
    ).json()
    with as_user(live_server, org.token_for(created["email"])) as auditor:
        seen = {e["aid"] for e in events(auditor, useAllPermittedAids="true")}
        assert seen == {org.aid}
        assert auditor.get("/audit-user-events", params={"aid": second}).status_code == 403


def test_the_log_takes_view_activity_log(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    _, regular = member(org, client, org.aid, "3")
    _, account_admin = member(org, client, org.aid, "2")

    with as_user(live_server, regular) as user:
        refused = user.get("/audit-user-events")
    with as_user(live_server, account_admin) as auditor:
        allowed = auditor.get("/audit-user-events")

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This operation requires the 'View activity log' permission"
    )
    assert allowed.status_code == 200


def test_another_organizations_events_are_never_listed(
    client: httpx.Client, orgs: OrgFactory, live_server: LiveServer
) -> None:
    other = orgs.create()
    with as_user(live_server, other.token) as theirs:
        new_user(theirs, name="Secret Person")

    listed = events(client, useAllPermittedAids="true")

    assert not [e for e in listed if "Secret Person" in e["resources"][0]["name"]]
    assert {e["aid"] for e in listed} <= {
        g["aid"] for g in client.get("/account-groups").json()["accountGroups"]
    }


def test_a_deleted_actor_is_known_by_uid(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    uid, token = member(org, client, org.aid, "1")
    with as_user(live_server, token) as actor:
        create_role(actor, "Made by a leaver")
    assert client.delete(f"/users/{uid}").status_code == 204

    made = next(e for e in events(client) if e["event"] == "Role created.")

    assert made["uid"] == uid
    assert "user" not in made


def _at(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_window_and_dates_bound_the_range(client: httpx.Client) -> None:
    create_role(client, "Recent")
    now = datetime.now(UTC)

    windowed = client.get("/audit-user-events", params={"window": "1h"}).json()
    assert "Role created." in {e["event"] for e in windowed["auditEvents"]}
    start = datetime.fromisoformat(windowed["startDate"])
    end = datetime.fromisoformat(windowed["endDate"])
    assert end - start == timedelta(hours=1)
    assert abs(end - now) < timedelta(minutes=1)

    assert events(client, window="60") == events(client, window="1m")
    future = {"startDate": _at(now + timedelta(days=1))}
    assert events(client, **future) == []
    assert events(client, endDate=_at(now - timedelta(days=1))) == []
    ranged = client.get(
        "/audit-user-events",
        # As the official SDK writes a datetime: microseconds and a +0000 offset.
        params={"startDate": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")},
    ).json()
    assert "Role created." in {e["event"] for e in ranged["auditEvents"]}
    assert set(ranged) == {"auditEvents", "startDate", "endDate", "_links"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"window": "1h", "startDate": "2026-01-01T00:00:00Z"}, [("window", "CONFLICT")]),
        ({"window": "1h", "endDate": "2026-01-01T00:00:00Z"}, [("window", "CONFLICT")]),
        (
            {"startDate": "2026-02-01T00:00:00Z", "endDate": "2026-01-01T00:00:00Z"},
            [("startDate", "INVALID")],
        ),
        ({"window": "5x"}, [("window", "STRING_PATTERN_MISMATCH")]),
        ({"startDate": "1767225600"}, [("startDate", "DATETIME_FROM_DATE_PARSING")]),
        ({"endDate": "yesterday"}, [("endDate", "DATETIME_FROM_DATE_PARSING")]),
        ({"cursor": "not-ours"}, [("cursor", "INVALID")]),
        ({"useAllPermittedAids": "maybe"}, [("useAllPermittedAids", "BOOL_PARSING")]),
    ],
)
def test_bad_queries_are_refused(
    client: httpx.Client, params: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert errors(client.get("/audit-user-events", params=params)) == expected


def test_a_huge_window_reaches_back_to_the_epoch(client: httpx.Client) -> None:
    body = client.get("/audit-user-events", params={"window": "9" * 15 + "w"}).json()

    assert body["startDate"] == "1970-01-01T00:00:00Z"
    assert body["auditEvents"]


def fill_activity_log(store: SqlDirectoryStore, org: TestOrg, count: int) -> None:
    """`count` role updates named `Role 0`…, by the admin in the default group and by the
    CLI outside every group, alternately."""
    actor = Actor(type="user", id=str(org.admin.uid))
    with store.write() as tx:
        for i in range(count):
            record(
                tx,
                org_id=org.admin.org_id,
                actor=actor if i % 2 else CLI_ACTOR,
                action="role.update",
                target_type="role",
                target_id=str(i),
                new_state=None,
                aid=int(org.aid) if i % 2 else None,
                target_name=f"Role {i}",
            )


def test_pages_of_100_follow_next_links_to_the_end(
    client: httpx.Client, org: TestOrg, store: SqlDirectoryStore
) -> None:
    before = len(events(client))
    fill_activity_log(store, org, 230)

    pages: list[list[dict[str, Any]]] = []
    response = client.get("/audit-user-events", params={"window": "1d"})
    first = response.json()
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["auditEvents"])
        if "next" not in body["_links"]:
            break
        response = client.get(body["_links"]["next"]["href"])

    assert [len(p) for p in pages] == [100, 100, 30 + before]
    names = [e["resources"][0]["name"] for p in pages for e in p]
    assert names[before:] == [f"Role {i}" for i in range(230)]
    # The next pages keep the range the first one resolved: a window does not slide.
    query = parse_qs(urlsplit(first["_links"]["next"]["href"]).query)
    assert query["startDate"][0].startswith(first["startDate"][:19])
    assert query["endDate"][0].startswith(first["endDate"][:19])
    assert "window" not in query

"""Drives the official ThousandEyes SDK 6.0.0 against rosterd. Runs inside the compat venv.

    python te_scenario.py scenario < input.json   # the full Users scenario
    python te_scenario.py examples < input.json   # exec each given example, capture stdout
    python te_scenario.py faulted < input.json    # calls met by injected 429s

It imports nothing of rosterd. It prints one JSON object describing what every call returned
or raised, as the SDK parsed it; `test_thousandeyes_sdk.py` asserts on it.

One thing is changed in the client: urllib3's sleep between retries is recorded instead of
slept, so that the 429 step shows how long the SDK would wait (the server's Retry-After, up to
a minute) without waiting.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import json
import sys
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import urllib3.util.retry
from pydantic import BaseModel
from thousandeyes_sdk.administrative import (
    AccountGroupRequest,
    AccountGroupsApi,
    ExpandAccountGroupOptions,
    PermissionsApi,
    RoleRequestBody,
    RolesApi,
    UserAccountGroupRole,
    UserEventsApi,
    UserRequest,
    UsersApi,
)
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.core.exceptions import ApiException

JSON = dict[str, Any]


def dump(model: BaseModel) -> JSON:
    """The model as the SDK parsed it, plus the fields it did not know (pydantic extras).

    The SDK's `from_dict` sets every field, absent ones to None, so None is left out.
    """
    return {
        "class": type(model).__name__,
        "json": model.model_dump(mode="json", by_alias=True, exclude_none=True),
        "unknown_fields": sorted(unknown_fields(model)),
    }


def unknown_fields(model: BaseModel, where: str = "") -> set[str]:
    found = {f"{where}{key}" for key in (model.model_extra or {})}
    for name, value in model:
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, BaseModel):
                found |= unknown_fields(item, f"{where}{name}[{i}].")
    return found


def failure(call: Callable[[], object]) -> JSON:
    try:
        call()
    except ApiException as e:
        return {
            "exception": type(e).__name__,
            "status": e.status,
            "data": dump(e.data) if isinstance(e.data, BaseModel) else None,
            "headers": {k.lower(): v for k, v in (e.headers or {}).items()},
        }
    raise AssertionError("the call should have raised an ApiException")


@contextlib.contextmanager
def recorded_retry_sleeps() -> Iterator[list[float]]:
    sleeps: list[float] = []
    real = urllib3.util.retry.time
    shim = types.SimpleNamespace(
        **{n: getattr(real, n) for n in dir(real) if not n.startswith("__")}
    )
    shim.sleep = sleeps.append
    urllib3.util.retry.time = shim  # type: ignore[assignment]
    try:
        yield sleeps
    finally:
        urllib3.util.retry.time = real


def client(host: str, token: str) -> ApiClient:
    return ApiClient(Configuration(host=host, access_token=token))


def scenario(given: JSON) -> JSON:
    host, aid, second_aid = given["host"], given["aid"], given["second_aid"]
    admin = client(host, given["admin_token"])
    users = UsersApi(admin)
    out: JSON = {
        "versions": {
            name: importlib.metadata.version(name)
            for name in ("thousandeyes-sdk-administrative", "thousandeyes-sdk-core")
        },
        "user_agent": admin.user_agent,
    }

    current = users.get_current_user()
    out["current"] = dump(current)
    out["list"] = dump(users.get_users())
    out["account_groups"] = dump(AccountGroupsApi(admin).get_account_groups())
    roles = RolesApi(admin).get_roles(aid=aid)
    out["roles"] = dump(roles)
    permissions = PermissionsApi(admin).get_permissions(aid=aid)
    out["permissions"] = dump(permissions)
    role_id = {r.name: r.role_id for r in roles.roles or []}
    permission_id = {p.label: p.permission_id for p in permissions.permissions or []}
    out.update(role_steps(RolesApi(admin), aid, permission_id, role_id["Regular User"]))
    regular_groups = AccountGroupsApi(client(host, given["regular_token"]))
    out.update(account_group_steps(AccountGroupsApi(admin), aid, regular_groups))

    created = users.create_user_with_http_info(
        UserRequest(
            name="Jane Compat",
            email=given["new_email"],
            login_account_group_id=aid,
            account_group_roles=[
                UserAccountGroupRole(account_group_id=aid, role_ids=[role_id["Regular User"]])
            ],
        ),
        aid=aid,
    )
    out["create"] = {
        "status": created.status_code,
        # A plain dict keyed as the server wrote the names (pydantic converts urllib3's
        # case-insensitive HTTPHeaderDict), so the test reads the type too.
        "headers_type": type(created.headers).__name__,
        "headers": dict(created.headers or {}),
        "data": dump(created.data),
    }
    uid = created.data.uid
    out["get"] = dump(users.get_user(uid, aid=aid))
    # Replace-based: the roles in `aid` go, Account Admin in the second group and no
    # all-account-groups roles are what is left.
    out["update_replace"] = dump(
        users.update_user(
            uid,
            UserRequest(
                name="Jane Renamed",
                account_group_roles=[
                    UserAccountGroupRole(
                        account_group_id=second_aid, role_ids=[role_id["Account Admin"]]
                    )
                ],
                all_account_group_role_ids=[],
            ),
            aid=aid,
        )
    )
    # Partial: only the all-account-groups roles change.
    out["update_partial"] = dump(
        users.update_user(
            uid, UserRequest(all_account_group_role_ids=[role_id["Regular User"]]), aid=aid
        )
    )
    out["after_updates"] = dump(users.get_user(uid, aid=aid))
    deleted = users.delete_user_with_http_info(uid, aid=aid)
    out["delete"] = {"status": deleted.status_code, "data": deleted.data}
    out["get_deleted"] = failure(lambda: users.get_user(uid, aid=aid))

    out["duplicate_email"] = failure(
        lambda: users.create_user(UserRequest(name="Twin", email=current.email), aid=aid)
    )
    out["bad_token"] = failure(lambda: UsersApi(client(host, "no-such-token")).get_current_user())
    out["regular_lists_users"] = failure(
        lambda: UsersApi(client(host, given["regular_token"])).get_users()
    )
    out["unknown_user"] = failure(lambda: users.get_user("999999999999", aid=aid))

    out.update(
        event_steps(UserEventsApi(admin), UserEventsApi(client(host, given["regular_token"])))
    )

    limited = UsersApi(client(host, given["limited_token"]))
    out["within_limit"] = [
        limited.get_current_user_with_http_info().status_code for _ in range(given["limit"])
    ]
    with recorded_retry_sleeps() as sleeps:
        started = time.monotonic()
        out["over_limit"] = failure(limited.get_current_user)
        out["over_limit"]["retry_sleeps"] = sleeps
        out["over_limit"]["seconds"] = time.monotonic() - started
    return out


def role_steps(roles: RolesApi, aid: str, permission_id: dict[str, str], builtin: str) -> JSON:
    """Create, read, replace and delete a custom role; a built-in one refuses changes."""
    out: JSON = {}
    wanted = [permission_id["API Access"], permission_id["View all users"]]
    made = roles.create_role_with_http_info(
        RoleRequestBody(name="Compat Helpdesk", permissions=wanted), aid=aid
    )
    out["role_create"] = {
        "status": made.status_code,
        "headers": dict(made.headers or {}),
        "data": dump(made.data),
    }
    rid = made.data.role_id
    out["role_get"] = dump(roles.get_role(rid, aid=aid))
    out["role_update"] = dump(
        roles.update_role(rid, RoleRequestBody(permissions=[permission_id["API Access"]]), aid=aid)
    )
    deleted = roles.delete_role_with_http_info(rid, aid=aid)
    out["role_delete"] = {"status": deleted.status_code, "data": deleted.data}
    out["role_get_deleted"] = failure(lambda: roles.get_role(rid, aid=aid))
    out["role_builtin_update"] = failure(
        lambda: roles.update_role(builtin, RoleRequestBody(name="Mine", permissions=[]), aid=aid)
    )
    out["role_duplicate"] = failure(
        lambda: roles.create_role(RoleRequestBody(name="Regular User", permissions=[]), aid=aid)
    )
    return out


def account_group_steps(groups: AccountGroupsApi, aid: str, regular: AccountGroupsApi) -> JSON:
    """Create (expanded), read, rename and delete an account group; the default one stays; a
    Regular User may neither create one nor read one's settings."""
    out: JSON = {}
    out["group_create_regular"] = failure(
        lambda: regular.create_account_group(AccountGroupRequest(account_group_name="Mine"))
    )
    out["group_get_regular"] = failure(lambda: regular.get_account_group(aid))
    everything = [ExpandAccountGroupOptions.USER, ExpandAccountGroupOptions.AGENT]
    made = groups.create_account_group_with_http_info(
        AccountGroupRequest(account_group_name="Compat Team", agents=[]),
        expand=[ExpandAccountGroupOptions.USER],
    )
    out["group_create"] = {
        "status": made.status_code,
        "headers": dict(made.headers or {}),
        "data": dump(made.data),
    }
    gid = made.data.aid
    out["group_get"] = dump(groups.get_account_group(gid, expand=everything))
    out["group_update"] = dump(
        groups.update_account_group(gid, AccountGroupRequest(account_group_name="Compat Squad"))
    )
    out["group_list"] = dump(groups.get_account_groups())
    deleted = groups.delete_account_group_with_http_info(gid)
    out["group_delete"] = {"status": deleted.status_code, "data": deleted.data}
    out["group_get_deleted"] = failure(lambda: groups.get_account_group(gid))
    out["group_delete_default"] = failure(lambda: groups.delete_account_group(aid))
    out["group_unknown_agent"] = failure(
        lambda: groups.create_account_group(
            AccountGroupRequest(account_group_name="Agents", agents=["105"])
        )
    )
    return out


def event_steps(events: UserEventsApi, regular: UserEventsApi) -> JSON:
    """The activity log: a window, all permitted groups, every page, and a refusal."""
    out: JSON = {}
    out["events"] = dump(events.get_user_events(window="1d"))
    out["events_all_groups"] = dump(events.get_user_events(use_all_permitted_aids=True))
    out["events_paginated"] = [
        dump(event) for event in events.get_user_events_paginated(window="1d")
    ]
    out["events_regular"] = failure(regular.get_user_events)
    return out


def faulted(given: JSON) -> JSON:
    """Calls the control plane answers with injected 429s: one (the SDK's one retry gets
    through) and two in a row (the SDK gives up)."""
    api = client(given["host"], given["token"])
    out: JSON = {}
    with recorded_retry_sleeps() as sleeps:
        out["once"] = dump(UsersApi(api).get_current_user())
        out["once_sleeps"] = list(sleeps)
    with recorded_retry_sleeps() as sleeps:
        out["twice"] = failure(AccountGroupsApi(api).get_account_groups)
        out["twice_sleeps"] = list(sleeps)
    return out


def examples(given: JSON) -> JSON:
    """Run each example as a script of its own; report what it printed."""
    printed: JSON = {}
    for name, code in given["examples"].items():
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            exec(compile(code, f"<example {name}>", "exec"), {"__name__": "__main__"})
        printed[name] = stdout.getvalue()
    return printed


if __name__ == "__main__":
    mode, given = sys.argv[1], json.load(sys.stdin)
    modes = {"scenario": scenario, "faulted": faulted, "examples": examples}
    result = modes[mode](given)
    json.dump(result, sys.stdout)

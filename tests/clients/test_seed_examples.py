"""Every ```python example of the seed documents runs against a live rosterd, as written:
only the host, the token and placeholder values (ids such as '1234' and 'user_id_example')
are substituted (see `_seed_examples.substitute`)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from thousandeyes_sdk.administrative import UsersApi
from thousandeyes_sdk.core.exceptions import NotFoundException

from tests.clients import _seed_examples as seeds
from tests.clients.conftest import KandjiDirectory, create_member
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer

EXAMPLES = {example.id: example for example in seeds.examples()}
LIST_EMAIL = "test_user_01@accuhive.io"  # the email the list_users example filters on


def run(code: str) -> str:
    """Run the example in a fresh interpreter of the dev environment; returns its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr  # no uncaught exception
    assert done.stderr == ""
    return done.stdout


def test_the_seeds_hold_the_documented_examples() -> None:
    assert sorted(EXAMPLES) == [
        "kandji-delete_user",
        "kandji-get_user",
        "kandji-list_users",
        "thousandeyes-create_user",
        "thousandeyes-delete_user",
        "thousandeyes-get_current_user",
        "thousandeyes-get_user",
        "thousandeyes-get_users",
        "thousandeyes-update_user",
    ]
    for example in EXAMPLES.values():
        compile(example.code, example.id, "exec")


def test_the_seed_copies_are_the_seeds() -> None:
    if not seeds.ORIGINAL_SEEDS.is_dir():
        pytest.skip(f"the original seeds are not at {seeds.ORIGINAL_SEEDS}")
    for copy in (seeds.KANDJI_SEED, seeds.THOUSANDEYES_SEED):
        assert copy.read_bytes() == (seeds.ORIGINAL_SEEDS / copy.name).read_bytes()


@pytest.mark.parametrize("example", [e for e in EXAMPLES.values() if e.sdk == "kandji"], ids=str)
def test_unflatten_rebuilds_the_kandji_examples_from_their_flattened_text(
    example: seeds.Example,
) -> None:
    rebuilt = seeds.unflatten(seeds.flatten(example.code))
    assert ast.dump(ast.parse(rebuilt)) == ast.dump(ast.parse(example.code))


# --- ThousandEyes ---------------------------------------------------------------------------


def te_run(name: str, live_server: LiveServer, org: TestOrg, **values: str) -> str:
    code = EXAMPLES[f"thousandeyes-{name}"].code
    if "aid = '1234'" in code:  # every operation but get_current_user takes aid
        values = {"aid": org.aid, **values}
    code = seeds.substitute(code, host=live_server.thousandeyes_url, token=org.token, values=values)
    return run(code)


def test_thousandeyes_create_user_with_an_empty_request_is_the_documented_400(
    live_server: LiveServer, org: TestOrg
) -> None:
    out = te_run("create_user", live_server, org)
    assert out.startswith(
        "Exception when calling UsersApi->create_user: (400)\nReason: Bad Request\n"
    )
    assert "HTTP response body: type='about:blank'" in out
    assert "ValidationErrorItem(code='REQUIRED', var_field='email'" in out
    assert "ValidationErrorItem(code='REQUIRED', var_field='name'" in out


def test_thousandeyes_delete_user(
    live_server: LiveServer, org: TestOrg, te_users: UsersApi
) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None

    assert te_run("delete_user", live_server, org, id=member.uid) == ""
    with pytest.raises(NotFoundException):
        te_users.get_user(member.uid)


def test_thousandeyes_get_current_user(live_server: LiveServer, org: TestOrg) -> None:
    out = te_run("get_current_user", live_server, org)
    assert out.startswith("The response of UsersApi->get_current_user:\n\nUserDetail(")
    assert f"email='{org.admin.email}'" in out
    assert "Exception when calling" not in out


def test_thousandeyes_get_user(live_server: LiveServer, org: TestOrg, te_users: UsersApi) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None

    out = te_run("get_user", live_server, org, id=member.uid)

    assert out.startswith("The response of UsersApi->get_user:\n\nUserDetail(")
    assert f"email='{member.email}'" in out
    assert f"uid='{member.uid}'" in out


def test_thousandeyes_get_users(live_server: LiveServer, org: TestOrg, te_users: UsersApi) -> None:
    member = create_member(te_users, org)

    out = te_run("get_users", live_server, org)

    assert out.startswith("The response of UsersApi->get_users:\n\nUsers(")
    assert f"email='{org.admin.email}'" in out
    assert f"email='{member.email}'" in out


def test_thousandeyes_update_user_with_an_empty_request_changes_nothing(
    live_server: LiveServer, org: TestOrg, te_users: UsersApi
) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None

    out = te_run("update_user", live_server, org, id=member.uid)

    assert out.startswith("The response of UsersApi->update_user:\n\nUserDetail(")
    assert f"email='{member.email}'" in out
    assert te_users.get_user(member.uid).name == member.name


# --- Kandji -----------------------------------------------------------------------------------


def kandji_run(name: str, live_server: LiveServer, org: TestOrg, **values: str) -> str:
    code = seeds.substitute(
        EXAMPLES[f"kandji-{name}"].code,
        host=live_server.base_url,
        token=org.token,
        values=values,
    )
    return run(code)


@pytest.fixture
def listed_user(directory: KandjiDirectory) -> tuple[str, str]:
    """The list example's user (test_user_01@accuhive.io) in a directory integration:
    (user id, integration uuid)."""
    integration = directory.integration("accuhive", "office365")
    directory.import_users(integration, [{"email": LIST_EMAIL, "name": "test_user_01"}])
    return directory.user_id(LIST_EMAIL), str(integration.uuid)


def test_kandji_delete_user(
    live_server: LiveServer, org: TestOrg, directory: KandjiDirectory
) -> None:
    integration = directory.integration()
    email = "leaver@accuhive.io"
    directory.import_users(integration, [{"email": email}])
    user_id = directory.user_id(email)

    assert kandji_run("delete_user", live_server, org, user_id=user_id) == ""
    gone = kandji_run("get_user", live_server, org, user_id=user_id)
    assert gone.startswith("Exception when calling UsersApi->get_user: (404)\nReason: Not Found")


def test_kandji_get_user(
    live_server: LiveServer, org: TestOrg, listed_user: tuple[str, str]
) -> None:
    user_id, integration_id = listed_user

    out = kandji_run("get_user", live_server, org, user_id=user_id)

    assert out.startswith("The response of UsersApi->get_user:\n\nUsersGetUser200Response(")
    assert "active=True, archived=False" in out
    assert f"email='{LIST_EMAIL}'" in out
    assert f"uuid='{integration_id}'" in out


def test_kandji_list_users(
    live_server: LiveServer, org: TestOrg, listed_user: tuple[str, str]
) -> None:
    user_id, integration_id = listed_user

    out = kandji_run("list_users", live_server, org, id=user_id, integration_id=integration_id)

    assert out.startswith(
        "The response of UsersApi->list_users:\n\nAuditLogListAuditEvents200Response("
    )
    assert "next=None, previous=None" in out
    assert f"'email': '{LIST_EMAIL}'" in out
    assert f"'id': '{user_id}'" in out

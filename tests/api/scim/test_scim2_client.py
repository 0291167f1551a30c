"""rosterd driven by python-scim's scim2-client, as a provisioning tool built on it would.

The client validates every response against the models it builds from rosterd's own discovery
endpoints, so each call below also checks that rosterd answers as it says it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    Error,
    ListResponse,
    PatchOp,
    PatchOperation,
    Resource,
    SCIMException,
    SearchRequest,
)

from tests.api.scim.conftest import Provisioning, unique_email
from tests.support.server import LiveServer


@pytest.fixture
def client(live_server: LiveServer, provisioning: Provisioning) -> Iterator[SyncSCIMClient]:
    with httpx2.Client(
        base_url=live_server.scim_url,
        headers={"Authorization": f"Bearer {provisioning.token}"},
    ) as http:
        scim = SyncSCIMClient(http)
        scim.discover()
        yield scim


def models(client: SyncSCIMClient) -> tuple[type[Resource[Any]], type[Resource[Any]]]:
    user, group = client.get_resource_model("User"), client.get_resource_model("Group")
    assert user is not None
    assert group is not None
    return user, group


def test_discovery_describes_users_with_the_enterprise_extension_and_groups(
    client: SyncSCIMClient,
) -> None:
    user, group = models(client)
    config = client.provider.config

    assert user.__name__ == "User[EnterpriseUser]"
    assert group.__name__ == "Group"
    assert config is not None
    assert config.patch is not None
    assert config.patch.supported is True
    assert config.bulk is not None
    assert config.bulk.supported is False


def test_a_user_s_life(client: SyncSCIMClient, kandji: httpx.Client) -> None:
    User, _ = models(client)
    email = unique_email("life")
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

    created = client.create(
        User.model_validate(
            {
                "userName": email,
                "displayName": "Life Cycle",
                "title": "Tester",
                enterprise: {"department": "QA"},
            }
        )
    )
    assert isinstance(created, User)
    assert created.id is not None
    assert created.meta is not None
    assert created.meta.version is not None

    queried = client.query(User, created.id)
    assert queried == created

    found = client.search(
        search_request=SearchRequest(filter=f'userName eq "{email}"'),
    )
    assert isinstance(found, ListResponse)
    assert [r.id for r in found.resources or []] == [created.id]

    patched = client.modify(
        User,
        created.id,
        PatchOp[User](
            operations=[PatchOperation(op=PatchOperation.Op.replace_, path="active", value=False)]
        ),
    )
    assert isinstance(patched, User)
    assert patched.active is False

    replacement = User.model_validate({"id": created.id, "userName": email, "nickName": "Cy"})
    replaced = client.replace(replacement)
    assert isinstance(replaced, User)
    assert replaced.nick_name == "Cy"
    assert replaced.title is None

    shown = kandji.get(f"/users/{created.id}").json()
    assert (shown["active"], shown["job_title"], shown["name"]) == (True, None, email)

    client.delete(User, created.id)
    gone = client.query(User, created.id, raise_scim_errors=False, expected_status_codes=None)
    assert isinstance(gone, Error)
    assert gone.status == 404


def test_groups_and_members(client: SyncSCIMClient) -> None:
    User, Group = models(client)
    member = client.create(User.model_validate({"userName": unique_email("member")}))
    assert isinstance(member, User)

    group = client.create(
        Group.model_validate({"displayName": "Scim Club", "members": [{"value": member.id}]})
    )
    assert isinstance(group, Group)
    assert [m.value for m in group.members] == [member.id]

    emptied = client.modify(
        Group,
        group.id,
        PatchOp[Group](
            operations=[
                PatchOperation(op=PatchOperation.Op.remove, path=f'members[value eq "{member.id}"]')
            ]
        ),
    )
    assert emptied is None  # 204: no attributes were asked for
    queried = client.query(Group, group.id)
    assert isinstance(queried, Group)
    assert not queried.members


def test_errors_arrive_as_scim_errors(client: SyncSCIMClient) -> None:
    User, _ = models(client)
    client.create(User.model_validate({"userName": "twice@example.com"}))

    with pytest.raises(SCIMException) as raised:
        client.create(User.model_validate({"userName": "TWICE@example.com"}))

    error = raised.value.to_error()
    assert (error.status, error.scim_type) == (409, "uniqueness")
    assert error.detail is not None
    assert error.detail.startswith("a user with userName 'TWICE@example.com' already exists")

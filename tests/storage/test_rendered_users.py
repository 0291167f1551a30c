"""Users rendered by the database (core/shapes.py, storage/_shapes.py) are, byte for byte, the
JSON the dialect's encoder writes for the same users rendered in Python field by field: over
generated users (any text, empty and missing fields, any microsecond, with and without an
integration and devices), one by one and as pages, searched and not, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rosterd.core.entities import DirectoryUser, Integration
from rosterd.core.ports import Keyset, NewUser, UserQuery
from rosterd.dialects.kandji._render import USER
from rosterd.server.responses import encode_json
from rosterd.storage import SqlDirectoryStore
from tests.support.devices import new_mac
from tests.support.orgs import OrgFactory

# Any text a column can hold: PostgreSQL refuses NUL, and no text holds a lone surrogate.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def kandji_user(value: DirectoryUser) -> dict[str, Any]:
    """The Kandji user as the dialect rendered it in Python before the database did."""
    u = value.user
    return {
        "active": u.active,
        "archived": u.archived,
        "created_at": _timestamp(u.created_at),
        "department": u.department or None,
        "deprecated_user_id": str(u.uid),
        "email": u.email,
        "id": str(u.id),
        "integration": _integration(value.integration),
        "job_title": u.job_title or None,
        "name": u.name,
        "device_count": value.device_count,
        "updated_at": _timestamp(u.updated_at),
    }


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _integration(value: Integration | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"id": value.id, "name": value.name, "uuid": str(value.uuid), "type": value.type}


USERS = st.lists(
    st.fixed_dictionaries(
        {
            "email": TEXT,
            "name": TEXT,
            "department": TEXT,
            "job_title": TEXT,
            "active": st.booleans(),
            "archived": st.booleans(),
            "created_at": MOMENTS,
            "integrated": st.booleans(),
            "devices": st.integers(0, 2),
        }
    ),
    min_size=1,
    max_size=8,
)


# Every character JSON escapes, and some it does not.
AWKWARD = "".join(chr(c) for c in range(1, 0x20)) + '"\\/\x7f\u2028é名😀'


@settings(max_examples=30)
@given(users=USERS, integration_name=TEXT)
@example(
    users=[
        {
            "email": AWKWARD,
            "name": AWKWARD,
            "department": "",
            "job_title": AWKWARD,
            "active": False,
            "archived": True,
            "created_at": datetime(2024, 9, 6, 21, 0, 4, 0, tzinfo=UTC),
            "integrated": True,
            "devices": 2,
        }
    ],
    integration_name=AWKWARD,
)
def test_rendered_users_are_the_python_renderings(
    store: SqlDirectoryStore, users: list[dict[str, Any]], integration_name: str
) -> None:
    org = OrgFactory(store).create()
    with store.write() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
        assert found is not None
        org_id = found.id
        integration = tx.add_integration(
            org_id=org_id,
            uuid=uuid.uuid4(),
            name=integration_name,
            type="office365",
            scim_token_hash=None,
            now=datetime.now(UTC),
        )
        for n, spec in enumerate(users):
            made = tx.add_user(
                NewUser(
                    id=uuid.uuid4(),
                    org_id=org_id,
                    email=f"{n}{spec['email']}",  # unique within the organization
                    name=spec["name"],
                    login_account_group_id=None,
                    created_at=spec["created_at"],
                    department=spec["department"],
                    job_title=spec["job_title"],
                    integration_id=integration.id if spec["integrated"] else None,
                    active=spec["active"],
                    archived=spec["archived"],
                )
            )
            for _ in range(spec["devices"]):
                tx.add_device(new_mac(org_id, made.uid))

    with store.read() as tx:
        everyone = tx.list_directory_users(org_id, UserQuery(), Keyset(limit=100))
        for listed in everyone:
            rendered = tx.get_rendered_user(org_id, listed.user.id, USER)
            assert rendered is not None
            assert rendered.encode() == encode_json(kandji_user(listed))
        some = everyone[len(everyone) // 2].user
        for query, page in (
            (UserQuery(), Keyset(limit=100)),
            (UserQuery(archived=True), Keyset(limit=3)),
            (UserQuery(integration_uuid=integration.uuid), Keyset(limit=100)),
            (UserQuery(), Keyset(position=some.uid, reverse=True, limit=2)),
            (UserQuery(email_contains=some.email[:4] or "@"), Keyset(limit=100)),
        ):
            pythons = tx.list_directory_users(org_id, query, page)
            rendered_page = tx.list_rendered_users(org_id, query, page, USER)
            assert [r.uid for r in rendered_page] == [u.user.uid for u in pythons]
            assert [r.json.encode() for r in rendered_page] == [
                encode_json(kandji_user(u)) for u in pythons
            ]
        # Nobody else's: an unknown id, and this user seen from another organization.
        assert tx.get_rendered_user(org_id, uuid.uuid4(), USER) is None
        assert tx.get_rendered_user(org_id + 1_000_000, some.id, USER) is None

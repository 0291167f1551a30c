"""The SCIM user a GET returns, made without the models for a user without SCIM attributes, is
byte for byte what the models' validation and dump make of the same document."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scim2_models import ResponseParameters

from rosterd.core.entities import GroupRef, ProvisionedUser, User
from rosterd.core.provisioning import user_version
from rosterd.dialects.scim import _render as render
from rosterd.dialects.scim._wire import PROVIDER, UserModel, read_response_parameters

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_OPTIONAL = st.one_of(st.just(""), _TEXT)
_MOMENTS = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
) | st.datetimes(timezones=st.just(UTC)).map(lambda d: d.replace(year=2024, microsecond=0))
_BASES = st.sampled_from(
    [
        "http://127.0.0.1:8000/api/v1/scim",
        "https://Directory.Example.COM/api/v1/scim",
        "http://[::1]:8080/prefix/api/v1/scim",
        "https://dir.example.com/ünïcode path/api/v1/scim",
    ]
)


@st.composite
def _users(draw: st.DrawFn) -> ProvisionedUser:
    user = User(
        uid=draw(st.integers(1, 2**40)),
        id=uuid.UUID(int=draw(st.integers(0, 2**128 - 1))),
        org_id=1,
        email=draw(_TEXT),
        name=draw(_OPTIONAL),
        active=draw(st.booleans()),
        archived=draw(st.booleans()),
        department=draw(_OPTIONAL),
        job_title=draw(_OPTIONAL),
        integration_id=draw(st.none() | st.integers(1, 10)),
        login_account_group_id=None,
        email_confirmed=draw(st.booleans()),
        created_at=draw(_MOMENTS),
        updated_at=draw(_MOMENTS),
        last_login=draw(st.none() | _MOMENTS),
        external_id=draw(st.none() | _OPTIONAL),
    )
    groups = draw(st.lists(st.builds(GroupRef, id=st.uuids(), display_name=_OPTIONAL), max_size=3))
    return ProvisionedUser(user, None, None, tuple(groups))


def _wire(document: dict[str, Any]) -> bytes:
    """As the response writes it (Starlette's JSONResponse)."""
    return json.dumps(
        document, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def _by_the_models(value: ProvisionedUser, base: str, query: dict[str, str]) -> bytes:
    parameters = read_response_parameters(UserModel, query)
    return _wire(render.dump(render.user_resource(value, base), parameters))


@settings(max_examples=500)
@given(_users(), _BASES)
def test_an_imported_user_renders_as_the_models_dump_it(value: ProvisionedUser, base: str) -> None:
    parameters = read_response_parameters(UserModel, {})
    assert _wire(render.user_response(value, base, parameters)) == _by_the_models(value, base, {})
    assert _wire(render.user_response(value, base)) == _by_the_models(value, base, {})


@settings(max_examples=50)
@given(
    _users(),
    st.sampled_from(
        [
            {"attributes": "userName,meta"},
            {"excludedAttributes": "emails"},
            {"attributes": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
        ]
    ),
)
def test_narrowed_responses_are_the_models(value: ProvisionedUser, query: dict[str, str]) -> None:
    base = "http://127.0.0.1:8000/api/v1/scim"
    parameters = read_response_parameters(UserModel, query)
    assert _wire(render.user_response(value, base, parameters)) == _by_the_models(
        value, base, query
    )


def test_a_provisioned_user_is_the_models() -> None:
    user = _plain_user()
    attributes = {"userName": "Ann", "name": {"givenName": "Ann"}, "title": "Boss", "active": True}
    value = ProvisionedUser(user, "Ann", attributes, ())
    base = "http://127.0.0.1:8000/api/v1/scim"
    assert _wire(render.user_response(value, base)) == _by_the_models(value, base, {})


def test_times_the_models_refuse_are_refused_the_same() -> None:
    value = ProvisionedUser(_plain_user(created_at=datetime(999, 1, 1, tzinfo=UTC)), None, None, ())
    with pytest.raises(ValidationError):
        render.user_response(value, "http://h/api/v1/scim")
    with pytest.raises(ValidationError):
        render.dump(render.user_resource(value, "http://h/api/v1/scim"))


def _plain_user(**changes: Any) -> User:
    fields: dict[str, Any] = {
        "uid": 7,
        "id": uuid.UUID("c54afc99-3e92-4b51-b039-09c573f97778"),
        "org_id": 1,
        "email": "ann@example.com",
        "name": "Ann",
        "active": True,
        "archived": False,
        "department": "Sales",
        "job_title": "",
        "integration_id": 1,
        "login_account_group_id": None,
        "email_confirmed": False,
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 1, 2, 3, 4, 5, 600, tzinfo=UTC),
        "last_login": None,
        "external_id": "ext",
    }
    return User(**(fields | changes))


def test_no_response_parameters_read_as_an_empty_query_does() -> None:
    with PROVIDER:
        read = ResponseParameters[UserModel].model_validate({})
    assert read_response_parameters(UserModel, {}) == read
    assert read.attributes is None
    assert read.excluded_attributes is None


def test_a_given_version_is_the_users() -> None:
    value = ProvisionedUser(_plain_user(), None, None, ())
    base = "http://127.0.0.1:8000/api/v1/scim"
    given = render.user_response(value, base, None, user_version(value))
    assert _wire(given) == _by_the_models(value, base, {})

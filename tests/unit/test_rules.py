"""Core rules that need no database."""

from __future__ import annotations

import pytest

from rosterd.core.access import granted_management_roles
from rosterd.core.entities import Role, RoleAssignments
from rosterd.core.tokens import generate_token, hash_token, looks_like_token
from rosterd.core.validation import email_key, email_problem, name_problem, parse_numeric_id
from rosterd.dialects.thousandeyes._errors import camel_path
from rosterd.server.ratelimit import LimitState

ADMIN = Role(1, None, "Organization Admin", True, frozenset({"X"}), True)
REGULAR = Role(3, None, "Regular User", True, frozenset({"Y"}), False)
ROLES = {1: ADMIN, 3: REGULAR}


def test_assignments_in_a_group_include_the_all_group_roles() -> None:
    assignments = RoleAssignments({10: frozenset({3})}, frozenset({1}))
    assert assignments.in_account_group(10) == {1, 3}
    assert assignments.in_account_group(11) == {1}
    assert assignments.role_ids() == {1, 3}


def test_granting_a_management_role_in_a_new_group_counts_as_a_grant() -> None:
    before = RoleAssignments({10: frozenset({1})})
    after = RoleAssignments({10: frozenset({1}), 11: frozenset({1, 3})})
    assert granted_management_roles(ROLES, before, after) == [ADMIN]
    assert granted_management_roles(ROLES, after, before) == []
    keeping = RoleAssignments({10: frozenset({1, 3})})
    assert granted_management_roles(ROLES, before, keeping) == []


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@sub.example.org", "x@y.z"])
def test_valid_emails(email: str) -> None:
    assert email_problem("email", email) is None


@pytest.mark.parametrize(
    "email",
    [
        "",
        "a",
        "a@b",
        "@b.co",
        "a@",
        "a b@c.de",
        "a@@b.co",
        "a@b..co",
        "a@b.co\n",
        "x" * 250 + "@b.co",
    ],
)
def test_invalid_emails(email: str) -> None:
    problem = email_problem("email", email)
    assert problem is not None
    assert problem.field == "email"
    assert problem.code == "INVALID_EMAIL"


def test_names_must_be_printable_and_not_blank() -> None:
    assert name_problem("name", "Zoë O'Brien") is None
    assert name_problem("name", "  ") is not None
    assert name_problem("name", "tab\there") is not None
    assert name_problem("name", "n" * 256) is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("245", 245),
        ("", None),
        ("-1", None),
        ("1.5", None),
        ("٣", None),
        ("9" * 19, None),
        (" 1", None),
    ],
)
def test_numeric_ids(value: str, expected: int | None) -> None:
    assert parse_numeric_id(value) == expected


def test_email_keys_ignore_case_and_outer_space() -> None:
    assert email_key("  Jane.Doe@Example.COM ") == "jane.doe@example.com"


def test_tokens_are_random_and_hashed_deterministically() -> None:
    first, second = generate_token(), generate_token()
    assert first != second
    assert looks_like_token(first)
    assert hash_token(first) == hash_token(first)
    assert len(hash_token(first)) == 64
    assert first not in hash_token(first)


@pytest.mark.parametrize("value", ["", "short", "has space inside", "x" * 201, "tab\tx1234567"])
def test_token_shape_check_rejects_garbage(value: str) -> None:
    assert not looks_like_token(value)


def test_field_paths_are_camel_cased_for_thousandeyes() -> None:
    assert camel_path("account_group_roles[0].role_ids[2]") == "accountGroupRoles[0].roleIds[2]"
    assert camel_path("login_account_group_id") == "loginAccountGroupId"
    assert camel_path("email") == "email"


def test_retry_after_never_exceeds_the_window_and_is_at_least_one_second() -> None:
    state = LimitState(False, 240, 0, reset_time=1000.2)
    assert state.reset_at == 1001
    assert state.retry_after(now=940.3) == 60
    assert state.retry_after(now=1000.1) == 1
    assert state.retry_after(now=2000) == 1

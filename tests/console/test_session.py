"""The console's session, CSRF and permission refusals, over HTTP against a real server."""

from __future__ import annotations

import httpx

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import ConsoleOrg, csrf_of, sign_in


def test_pages_need_a_session(browserless: httpx.Client) -> None:
    for path in ("/", "/users", "/users/00000000-0000-0000-0000-000000000000"):
        response = browserless.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == (
            "/console/users" if path == "/" else "/console/signin"
        )


def test_signin_form_is_labelled_and_unframeable(browserless: httpx.Client) -> None:
    page = browserless.get("/signin")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<label for="token">API token</label>' in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_a_wrong_token_is_refused_in_plain_words(browserless: httpx.Client) -> None:
    response = sign_in(browserless, "rst_not-a-real-token")
    assert response.status_code == 401
    assert "That token was not accepted" in response.text
    assert "set-cookie" not in response.headers


def test_the_session_cookie_is_signed_httponly_strict_and_expires(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    response = sign_in(browserless, console_org.org.token)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/users"
    cookie = response.headers["set-cookie"]
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("rosterd_console=")
    assert "HttpOnly" in attributes
    assert "SameSite=strict" in attributes
    assert "Path=/console" in attributes
    assert "Max-Age=28800" in attributes
    assert console_org.org.token not in cookie
    assert console_org.org.token.removeprefix("rst_") not in cookie


def test_a_tampered_cookie_is_no_session(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    value = browserless.cookies["rosterd_console"]
    browserless.cookies.set("rosterd_console", value[:-2] + "xx", path="/console")
    response = browserless.get("/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/signin"


def test_users_lists_only_the_organizations_own(
    browserless: httpx.Client, console_org: ConsoleOrg, other_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    page = browserless.get("/users")
    assert page.status_code == 200
    assert console_org.org.admin.email in page.text
    assert "art.vandelay@vandelay.test" in page.text
    assert other_org.org.admin.email not in page.text


def test_search_as_you_type_answers_the_rows_alone(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    rows = browserless.get("/users", params={"q": "kel."}, headers={"HX-Request": "true"})
    assert rows.status_code == 200
    assert rows.text.lstrip().startswith("<table>")
    assert "kel.varnsen@vandelay.test" in rows.text
    assert "art.vandelay@vandelay.test" not in rows.text
    none = browserless.get("/users", params={"q": "nobody-at-all"}, headers={"HX-Request": "1"})
    assert none.text.strip() == '<p id="no-users">No users match.</p>'


def test_signing_out_needs_the_csrf_token(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    page = browserless.get("/users")
    forged = browserless.post("/signout", data={"csrf": "guessed"})
    assert forged.status_code == 403
    assert "did not come from the console" in forged.text
    assert browserless.get("/users").status_code == 200  # still signed in
    out = browserless.post("/signout", data={"csrf": csrf_of(page)})
    assert out.status_code == 303
    assert out.headers["location"] == "/console/signin"
    assert 'rosterd_console=""' in out.headers["set-cookie"]
    assert browserless.get("/users").status_code == 303


def test_a_revoked_token_ends_its_session_at_once(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, console_org.org.token)
    assert browserless.get("/users").status_code == 200
    AuthService(store).revoke_token(
        org_subdomain=console_org.org.subdomain, token=console_org.org.token, actor=CLI_ACTOR
    )
    response = browserless.get("/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/signin"


def test_a_regular_user_may_not_list_the_directory(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    assert sign_in(browserless, console_org.regular_token).status_code == 303
    page = browserless.get("/users")
    assert page.status_code == 403
    assert "You do not have permission to perform this action." in page.text
    assert "kel.varnsen" not in page.text


def test_a_scoped_token_sees_only_its_endpoints(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.scoped_token)
    listing = browserless.get("/users")
    assert listing.status_code == 403
    assert "limited to other endpoints than GET /api/v1/users" in listing.text
    admin = browserless.get(f"/users/{console_org.org.admin.id}")
    assert admin.status_code == 200
    assert console_org.org.admin.email in admin.text


def test_another_organizations_user_is_not_found(
    browserless: httpx.Client, console_org: ConsoleOrg, other_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    response = browserless.get(f"/users/{other_org.org.admin.id}")
    assert response.status_code == 404
    assert "Not found." in response.text
    assert other_org.org.admin.email not in response.text
    assert browserless.get("/users/not-a-uuid").status_code == 404


def test_the_audit_log_shows_what_changed_in_this_organization_only(
    browserless: httpx.Client, console_org: ConsoleOrg, other_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    page = browserless.get("/audit")
    assert page.status_code == 200
    assert "<code>token.create</code>" in page.text
    assert "<dt>email</dt><dd>art.vandelay@vandelay.test</dd>" in page.text
    assert "someone.else@elsewhere.test" not in page.text
    older = browserless.get("/audit", params={"before": "not-a-position"})
    assert older.status_code == 200


def test_the_audit_log_needs_its_permission(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.regular_token)
    page = browserless.get("/audit")
    assert page.status_code == 403
    assert "You do not have permission to perform this action." in page.text

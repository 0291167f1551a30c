"""The console driven in headless Chromium (Playwright with Debian's /usr/bin/chromium) against
a real rosterd on 127.0.0.1. Every wait is on a condition (Playwright's auto-waiting `expect`),
never a sleep. Skipped without Chromium, unless ROSTERD_REQUIRE_BROWSER=1 (CI).

With ROSTERD_CONSOLE_SCREENSHOTS=DIR the tests save the screenshots docs/console.md shows."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from tests.console.conftest import ConsoleOrg, fill
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, sqlite_database, start_server

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("ROSTERD_REQUIRE_BROWSER") == "1":
        pytest.fail("/usr/bin/chromium is absent but ROSTERD_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url, store = sqlite_database(tmp_path_factory.mktemp("console"))
    with start_server(url, store) as live:
        yield live
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture
def people(server: LiveServer) -> ConsoleOrg:
    return fill(OrgFactory(server.store).create(), server.store)


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1000, "height": 700})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, mask: Sequence[Locator] = ()) -> None:
    """Save the page for the docs; `mask`: what it must not show (a token's secret)."""
    folder = os.environ.get("ROSTERD_CONSOLE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True, mask=list(mask))


def test_sign_in_search_and_sign_out(page: Page, people: ConsoleOrg) -> None:
    page.goto("/console/users")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "signin")
    page.get_by_label("API token").fill(people.org.token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)  # the admin and the two people
    screenshot(page, "users")

    page.get_by_label("Search by email").press_sequentially("kel.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("kel.varnsen@vandelay.test")
    page.get_by_label("Search by email").fill("nobody-at-all")
    expect(page.locator("#no-users")).to_have_text("No users match.")

    page.get_by_label("Search by email").fill("art.")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="art.vandelay@vandelay.test").click()
    expect(page.get_by_role("heading", name="Art Vandelay")).to_be_visible()
    screenshot(page, "user")

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("tbody tr").filter(has_text="kel.varnsen@vandelay.test")).to_have_count(1)
    screenshot(page, "audit")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/console/users")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_token_is_explained_where_it_was_typed(page: Page) -> None:
    page.goto("/console/signin")
    page.get_by_label("API token").fill("rst_wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That token was not accepted")
    expect(page.get_by_label("API token")).to_have_attribute("aria-invalid", "true")


def test_a_forged_form_is_refused(page: Page, people: ConsoleOrg) -> None:
    page.goto("/console/signin")
    page.get_by_label("API token").fill(people.org.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.locator("input[name=csrf]").evaluate("input => { input.value = 'forged'; }")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("did not come from the console")
    page.goto("/console/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()  # still signed in


def test_lower_privilege_tokens_see_only_what_they_may(page: Page, people: ConsoleOrg) -> None:
    page.goto("/console/signin")
    page.get_by_label("API token").fill(people.regular_token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "You do not have permission to perform this action."
    )
    expect(page.get_by_text("kel.varnsen@vandelay.test")).to_have_count(0)


def test_another_organization_is_never_visible(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    other = fill(OrgFactory(server.store).create(), server.store)
    page.goto("/console/signin")
    page.get_by_label("API token").fill(people.org.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#results tbody tr")).to_have_count(3)
    expect(page.get_by_text(other.org.admin.email)).to_have_count(0)
    page.goto(f"/console/users/{other.org.admin.id}")
    expect(page.get_by_role("alert")).to_have_text("Not found.")


def test_a_revoked_token_ends_the_session(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    page.goto("/console/signin")
    page.get_by_label("API token").fill(people.org.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    AuthService(server.store).revoke_token(
        org_subdomain=people.org.subdomain, token=people.org.token, actor=CLI_ACTOR
    )
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_usable_at_phone_width_with_the_keyboard(page: Page, people: ConsoleOrg) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/console/signin")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("API token")).to_be_focused()
    page.keyboard.type(people.org.token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "users-phone")

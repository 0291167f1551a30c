"""The console's directory integrations and roles driven in headless Chromium, with
test_browser.py's server, browser and page; the screenshots they take
(ROSTERD_CONSOLE_SCREENSHOTS) are docs/console.md's."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rosterd.core.integrations import IntegrationsService
from tests.console.conftest import ConsoleOrg
from tests.console.test_browser import browser, page, people, screenshot, server
from tests.console.test_browser_admin import signed_in
from tests.support.server import LiveServer

__all__ = ["browser", "page", "people", "server"]  # test_browser.py's fixtures, used here


def test_create_an_integration_and_rotate_its_token(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    signed_in(page, people.org.token, "/users")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="Directory integrations")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)

    name = page.get_by_label("Name")
    name.fill("   ")
    page.get_by_label("Type").select_option("scim")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid integration: name cannot be blank.")
    expect(page.get_by_label("Type")).to_have_value("scim")  # kept
    expect(name).to_have_attribute("aria-invalid", "true")

    name.fill("Okta")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_role("heading", name="Okta")).to_be_visible()
    first = page.locator("#scim-token").inner_text()
    assert IntegrationsService(server.store).authenticate_scim(first) is not None
    expect(page.locator("#token-state")).to_have_text("Active")

    page.get_by_role("button", name="Rotate token").click()
    expect(page.locator("#scim-token")).not_to_have_text(first)
    second = page.locator("#scim-token").inner_text()
    screenshot(page, "integration")
    assert IntegrationsService(server.store).authenticate_scim(first) is None
    okta = IntegrationsService(server.store).authenticate_scim(second)
    assert okta is not None

    page.goto(f"/console/integrations/{okta.uuid}")  # the page again: no token on it
    expect(page.get_by_role("heading", name="Okta")).to_be_visible()
    expect(page.locator("#scim-token")).to_have_count(0)
    expect(page.get_by_role("link", name="The users from Okta")).to_have_attribute(
        "href", f"/console/users?integration={okta.uuid}"
    )
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator("#token-state")).to_have_text("Revoked")
    assert IntegrationsService(server.store).authenticate_scim(second) is None

    page.get_by_role("link", name="← Directory integrations").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    screenshot(page, "integrations")


def test_create_a_role(page: Page, people: ConsoleOrg) -> None:
    signed_in(page, people.org.token, "/users")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)  # the built-in roles

    page.get_by_label("Name").fill("Regular user")
    page.get_by_label("View all users").check()
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Role name taken: a role named 'Regular user' already exists."
    )
    expect(page.get_by_label("Name")).to_have_value("Regular user")
    expect(page.get_by_label("View all users")).to_be_checked()  # kept

    page.get_by_label("Name").fill("Auditor")
    page.get_by_label("API Access").check()
    page.get_by_label("View activity log").check()
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name="Auditor")).to_be_visible()
    expect(page.locator("#permissions li")).to_have_text(
        ["API Access", "View all users (management)", "View activity log (management)"]
    )
    screenshot(page, "role")

    page.get_by_role("link", name="← Roles").click()
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.locator("tbody tr").filter(has_text="Auditor")).to_contain_text("Custom")
    screenshot(page, "roles")


def test_the_new_pages_at_phone_width(page: Page, people: ConsoleOrg) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in(page, people.org.token, "/integrations")
    for path, heading in (
        ("/integrations", "Directory integrations"),
        ("/account-groups", "Account groups"),
        ("/roles", "Roles"),
        ("/roles/1", "Organization Admin"),
    ):
        page.goto(f"/console{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path

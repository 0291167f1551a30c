"""A user's page driven in headless Chromium, with test_browser.py's server, browser and page:
editing roles (a refusal said beside the form, the boxes as they were ticked), deleting a user
(refused while devices are assigned; confirmed first, then gone) and issuing an API token (its
secret shown once) and revoking it. The screenshots (ROSTERD_CONSOLE_SCREENSHOTS)
are docs/console.md's."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from rosterd.core.auth import AuthService
from tests.console.admin import add_devices
from tests.console.conftest import PEOPLE, ConsoleOrg
from tests.console.test_browser import browser, page, people, screenshot, server
from tests.console.test_browser_admin import signed_in
from tests.support.server import LiveServer

__all__ = ["browser", "page", "people", "server"]  # test_browser.py's fixtures, used here


def open_art(page: Page, people: ConsoleOrg, server: LiveServer) -> None:
    add_devices(people, server.store)
    signed_in(page, people.org.token, "/users")
    page.get_by_role("link", name=PEOPLE[0]["email"]).click()
    expect(page.get_by_role("heading", name="Art Vandelay")).to_be_visible()


def test_edit_a_users_roles(page: Page, people: ConsoleOrg, server: LiveServer) -> None:
    open_art(page, people, server)
    default_group = page.get_by_role("group", name="(default)")
    account_admin = default_group.get_by_label("Account Admin")
    expect(account_admin).not_to_be_checked()
    expect(page.get_by_role("link", name="Art's MacBook")).to_be_visible()
    expect(page.locator("#delete-rule")).to_contain_text("cannot be deleted")

    page.get_by_role("button", name="Save roles").click()  # no role ticked at all
    expect(page.get_by_role("alert")).to_contain_text("A user needs at least one role")
    account_admin = page.get_by_role("group", name="(default)").get_by_label("Account Admin")
    account_admin.check()
    page.get_by_role("group", name="All account groups").get_by_label("Regular User").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    default_group = page.get_by_role("group", name="(default)")
    expect(default_group.get_by_label("Account Admin")).to_be_checked()
    expect(default_group.get_by_label("Regular User")).not_to_be_checked()
    all_groups = page.get_by_role("group", name="All account groups")
    expect(all_groups.get_by_label("Regular User")).to_be_checked()
    screenshot(page, "user-roles")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1000, "height": 700})
    expect(page.get_by_role("button", name="Delete user")).to_be_disabled()
    refusal = page.locator("#delete-refusal")
    expect(refusal).to_have_text("User still assigned to one or more devices.")

    page.get_by_role("link", name="Art's MacBook").click()
    expect(page.get_by_role("heading", name="Art's MacBook")).to_be_visible()

    kel = PEOPLE[1]["email"]
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name=kel).click()
    page.get_by_role("button", name="Delete user").click()
    expect(page.get_by_role("heading", name="Delete Kel Varnsen?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()  # nothing deleted
    page.get_by_role("button", name="Delete user").click()
    page.get_by_role("button", name=f"Delete {kel}").click()
    expect(page.get_by_role("status")).to_have_text(
        "The user was deleted. What was changed stays in the audit log."
    )
    expect(page.locator("#results tbody tr")).to_have_count(2)  # the admin and Art
    expect(page.get_by_role("link", name=kel)).to_have_count(0)


def test_create_a_token_shown_once_then_revoke_it(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    open_art(page, people, server)
    name = page.get_by_label("Name of a new token")
    name.evaluate("input => input.removeAttribute('maxlength')")  # as an older browser would
    name.fill("x" * 256)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_have_text("A token's name has at most 255 characters.")
    expect(page.get_by_label("Name of a new token")).to_have_value("x" * 256)
    expect(page.get_by_label("Name of a new token")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Name of a new token").fill("deploy script")
    page.get_by_role("button", name="Create token").click()
    shown = page.locator("#new-token")
    expect(shown).to_have_text(re.compile(r"^rst_\S+$"))
    secret = shown.inner_text()
    expect(page.get_by_role("status")).to_contain_text("shown this once and never again")
    assert AuthService(server.store).authenticate(secret).user.email == PEOPLE[0]["email"]
    screenshot(page, "user-token", mask=[shown])

    page.goto(page.url.split("/tokens")[0])  # the user's page again
    expect(page.get_by_role("cell", name="deploy script", exact=True)).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke deploy script").click()
    row = page.get_by_role("row").filter(has_text="deploy script")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)

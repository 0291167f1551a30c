"""The users list's search as you type (emails and names) and filters, and the audit log's,
driven in headless Chromium with test_browser.py's server, browser and page; the screenshots
they take (ROSTERD_CONSOLE_SCREENSHOTS) are docs/console.md's."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.console.conftest import PEOPLE, ConsoleOrg
from tests.console.test_browser import browser, page, people, screenshot, server
from tests.console.test_browser_admin import signed_in
from tests.support.server import LiveServer

__all__ = ["browser", "page", "people", "server"]  # test_browser.py's fixtures, used here

ART, KEL = PEOPLE[0]["email"], PEOPLE[1]["email"]


def test_search_as_you_type_by_name_and_filter_by_role(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    people.org.add_role("Auditor")  # held by nobody
    signed_in(page, people.org.token, "/users")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    search = page.get_by_label("Search by email or name")
    # "art v" is in Art Vandelay's name and in no email; typed, not submitted.
    search.press_sequentially("ART V")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ART)
    search.fill("")
    search.press_sequentially("varnsen")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(KEL)
    search.fill("")
    expect(rows).to_have_count(3)
    # Choosing a role filters at once; nobody holds the new one.
    page.get_by_label("Role").select_option(label="Auditor")
    expect(page.locator("#no-users")).to_have_text("No users match.")
    page.get_by_label("Role").select_option(label="Organization Admin")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(people.org.admin.email)
    screenshot(page, "users-filtered")


def test_audit_trail_of_a_user_and_an_unknown_actor(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    signed_in(page, people.org.token, "/users")
    page.get_by_role("link", name=KEL).click()
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("user.create")
    expect(rows.first).to_contain_text(KEL)  # what changed: the email it was created with
    screenshot(page, "audit-filtered")
    page.get_by_label("Made by").fill("nobody@nowhere.test")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#actor-error")).to_have_text(
        "No user of this organization has that email or id."
    )
    expect(page.get_by_label("Made by")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#no-events")).to_have_text("No changes recorded that match.")

"""The console's admin pages (devices, directory integrations, account groups and roles)
driven in headless Chromium, with test_browser.py's server, browser and page; the screenshots
they take (ROSTERD_CONSOLE_SCREENSHOTS) are docs/console.md's."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.console.admin import WithDevices, add_devices
from tests.console.conftest import PEOPLE, ConsoleOrg
from tests.console.test_browser import browser, page, people, screenshot, server
from tests.support.server import LiveServer

__all__ = ["browser", "page", "people", "server"]  # test_browser.py's fixtures, used here


def signed_in(page: Page, token: str, path: str) -> None:
    page.goto("/console/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.goto(f"/console{path}")


def with_devices(people: ConsoleOrg, server: LiveServer) -> WithDevices:
    return add_devices(people, server.store)


def test_filter_assign_and_unassign_a_device(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    with_devices(people, server)
    signed_in(page, people.org.token, "/users")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Devices").click()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Platform").select_option("iPad")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_label("Platform")).to_have_value("iPad")
    screenshot(page, "devices")

    page.get_by_role("link", name="Spare iPad").click()
    expect(page.get_by_role("heading", name="Spare iPad")).to_be_visible()
    email = page.get_by_label("Assign to the user with the email")
    email.fill("nobody@vandelay.test")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("alert")).to_have_text(
        "There is no user with the email 'nobody@vandelay.test' in this organization."
    )
    expect(email).to_have_value("nobody@vandelay.test")
    expect(email).to_have_attribute("aria-invalid", "true")

    email.fill(PEOPLE[1]["email"])
    email.press("Enter")
    expect(page.locator("#assignee")).to_have_text(PEOPLE[1]["email"])
    expect(page.get_by_text("cannot be deleted")).to_be_visible()
    screenshot(page, "device")
    page.get_by_role("button", name="Unassign").click()
    expect(page.locator("#assignee")).to_have_text("Nobody")


def test_devices_at_phone_width(page: Page, people: ConsoleOrg, server: LiveServer) -> None:
    with_devices(people, server)
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in(page, people.org.token, "/devices")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("Device name").focus()
    page.keyboard.type("Spare")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)


def test_devices_pages_forward_and_back_by_keyset(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    from rosterd.core.devices import DevicesService

    with_devices(people, server)  # Art's MacBook and the Spare iPad, then 60 more Macs
    DevicesService(server.store).import_devices(
        org_subdomain=people.org.subdomain,
        records=[{"serial_number": f"PAGE{i:04}", "platform": "Mac"} for i in range(60)],
    )
    signed_in(page, people.org.token, "/devices?platform=Mac")
    rows, serials = page.locator("tbody tr"), page.locator("tbody tr code")
    expect(rows).to_have_count(50)
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    first = serials.all_inner_texts()
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(11)  # the last ten imported, and nothing twice
    assert serials.all_inner_texts() == [f"PAGE{i:04}" for i in range(49, 60)]
    assert "after=" in page.url
    assert "platform=Mac" in page.url  # the filter kept
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="Previous page").click()
    expect(rows).to_have_count(50)
    assert serials.all_inner_texts() == first
    assert "before=" in page.url
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    expect(page.get_by_role("link", name="Next page")).to_be_visible()

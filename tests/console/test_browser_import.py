"""Importing a directory file from an integration's page in headless Chromium, with
test_browser.py's server, browser and page: the upload, the dry run, the confirmation a full
sync asks for, and the progress reaching the report; with JavaScript and without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from rosterd.core.integrations import IntegrationsService
from tests.console.conftest import PEOPLE, ConsoleOrg
from tests.console.test_browser import browser, page, people, screenshot, server
from tests.console.test_browser_admin import signed_in
from tests.support.server import LiveServer

__all__ = ["browser", "page", "people", "server"]  # test_browser.py's fixtures, used here

# Art as he is, Kel left out (a full sync archives him), and one new person.
FILE = (
    "email,name,department\n"
    f"{PEOPLE[0]['email']},Art Vandelay,\n"
    "h.e.pennypacker@pennypacker.test,H.E. Pennypacker,Finance\n"
)


def integration_path(people: ConsoleOrg, server: LiveServer) -> str:
    (accuhive,) = IntegrationsService(server.store).list_integrations(
        org_subdomain=people.org.subdomain
    )
    return f"/integrations/{accuhive.uuid}"


def import_with_a_full_sync(page: Page) -> None:
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": FILE.encode()}
    )
    page.get_by_label("Full sync").check()
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible()
    expect(page.locator("#plan-counts dd")).to_have_text(["1 user", "0 users", "1 user", "1 user"])
    expect(page.locator("#archive-warning")).to_have_text(
        "This full sync archives 1 user that the file leaves out."
    )


def test_import_a_file_see_its_plan_and_its_progress_reach_the_report(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    signed_in(page, people.org.token, integration_path(people, server))
    expect(page.get_by_role("heading", name="Import users")).to_be_visible()

    page.get_by_label("File", exact=True).set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"email\nnot-an-email\n"}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-error li")).to_have_text(
        ["line 2: email must be a valid email address"]
    )

    import_with_a_full_sync(page)
    expect(page.locator("#plan-examples li")).to_have_text(
        ["create h.e.pennypacker@pennypacker.test", f"archive {PEOPLE[1]['email']}"]
    )
    screenshot(page, "import-plan")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_label("Archive 1 user")).to_be_focused()  # required: asked first
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible()
    page.get_by_label("Archive 1 user").check()
    page.get_by_role("button", name="Import").click()

    # Created, updated, unchanged, archived.
    expect(page.locator("#import-report dd")).to_have_text(["1", "0", "1", "1"], timeout=30_000)
    expect(page.get_by_label("2 of 2 records written")).to_have_attribute("value", "2")
    screenshot(page, "import-report")
    page.get_by_role("link", name="The integration's users").click()
    expect(page.locator("#results tbody tr").filter(has_text="Pennypacker")).to_have_count(1)


@pytest.fixture
def without_javascript(browser: Browser, server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.base_url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_without_javascript_the_page_reaches_the_report(
    without_javascript: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    page = without_javascript
    signed_in(page, people.org.token, integration_path(people, server))
    import_with_a_full_sync(page)
    page.get_by_label("Archive 1 user").check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report dd")).to_have_text(["1", "0", "1", "1"], timeout=30_000)


def within_the_width(page: Page, *buttons: str) -> None:
    """Nothing wider than a 375 px screen, and each button's whole width on it."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, page.url
    for name in buttons:
        button = page.get_by_role("button", name=name, exact=True)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= 375, (name, box)


def test_the_import_pages_at_phone_width(
    page: Page, people: ConsoleOrg, server: LiveServer
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    signed_in(page, people.org.token, integration_path(people, server))
    within_the_width(page, "Check the file")
    long_name = "the-whole-directory-as-exported-on-friday-afternoon-by-the-identity-team.csv"
    long_email = "someone.with.a.very.long.address.indeed@a-department-of-long-names.test"
    not_an_email = long_email.replace("@", "-at-")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": long_name, "mimeType": "text/csv", "buffer": f"email\n{not_an_email}\n".encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-error")).to_be_visible()
    within_the_width(page, "Check the file")

    page.get_by_label("File", exact=True).set_input_files(
        {"name": long_name, "mimeType": "text/csv", "buffer": f"email\n{long_email}\n".encode()}
    )
    page.get_by_label("Full sync").check()
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible()
    expect(page.locator("#plan-examples li").first).to_have_text(f"create {long_email}")
    within_the_width(page, "Import", "Cancel")
    page.get_by_label("Archive 2 users").check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report dd")).to_have_text(["1", "0", "0", "2"], timeout=30_000)
    within_the_width(page)
    screenshot(page, "import-phone")

"""The published catalogue in a real browser: a `datasette` server started exactly as
`provcat serve` starts it, driven by Debian's chromium through Playwright.

Run on their own: ``pytest -m browser``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from provcat import publish

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"datasette exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"datasette did not answer {url} within {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(sample_catalogue: Path, metadata_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a datasette server publishing a copy of the sample catalogue as `serve` does."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "catalogue.db"
    shutil.copyfile(sample_catalogue, db)
    inspect_file, metadata_file = publish.prepare(db, metadata_dir)
    port = free_port()
    command = publish.datasette_command(publish.datasette_arguments(db, inspect_file, metadata_file,
                                                                    host="127.0.0.1", port=port))
    log = folder / "datasette.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_home_page_describes_the_catalogue(page: Page, server: str) -> None:
    page.goto(server + "/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name="catalogue", exact=True)).to_be_visible()
    screenshot(page, "home")


def test_search_then_open_a_document_with_its_mentions_linked(page: Page, server: str) -> None:
    page.goto(server + "/catalogue/documents")
    page.fill("input[name=_search]", "unique opportunity")
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_url("**_search=unique*")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(1)
    screenshot(page, "search-results")

    page.locator("table.rows-and-columns tbody tr td a").first.click()
    page.wait_for_url("**/catalogue/documents/article")
    mention = page.locator('.provcat-text a.provcat-mention[href="/catalogue/entities/peter-neumann"]').first
    expect(mention).to_have_text("Peter Neumann")
    quote = page.locator(".provcat-text mark.provcat-quote").first
    expect(quote).to_have_attribute("title", "direct quote · speaker: Peter Neumann · method: test-rule"
                                             " · confidence: 0.75")
    screenshot(page, "document")

    mention.click()
    page.wait_for_url("**/catalogue/entities/peter-neumann")
    expect(page.locator("table.rows-and-columns")).to_contain_text("Peter Neumann")
    screenshot(page, "entity")


def test_hostile_document_runs_no_script(page: Page, server: str) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/catalogue/documents/hostile")
    page.wait_for_load_state("networkidle")

    text = page.locator(".provcat-text")
    expect(text).to_contain_text("<script>alert(1)</script><img src=x onerror=alert(2)>")
    expect(text.locator("script, img, b")).to_have_count(0)
    expect(page.locator('a[href^="javascript:"]')).to_have_count(0)
    text.get_by_text("click", exact=False).first.click()
    screenshot(page, "hostile")
    page.goto(server + "/catalogue/documents")  # the table page shows the same text
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert errors == []


def test_search_query_form(page: Page, server: str) -> None:
    page.goto(server + "/catalogue/search_quotes")
    page.fill("input[name=q]", "protecting")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url("**q=protecting*")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(2)
    expect(page.locator("table.rows-and-columns")).to_contain_text("[protecting]")
    screenshot(page, "search-quotes")

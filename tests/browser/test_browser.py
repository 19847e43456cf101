"""The published catalogue in a real browser: servers started with the `provcat serve` command,
driven by Debian's chromium through Playwright.

Two catalogues are served: the small hand-built sample (tests/catalogue_factory.py, with a hostile
document and a caption file) and the seeds built by the real pipeline with the project's metadata.
Screenshots go to tests/screenshots/ (not committed); the README's come from the seeds.

Run on their own: ``pytest -m browser``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from catalogue_factory import HOSTILE_NAME, HOSTILE_TEXT
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright
from server_process import running_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
VIEWPORT = {"width": 1200, "height": 900}
SEED_ARTICLE = "000_5b55b6d9b2e6ebeb"


@contextmanager
def serving(catalogue: Path, metadata_dir: Path, folder: Path) -> Iterator[str]:
    """Base URL of `provcat serve` publishing a copy of ``catalogue``."""
    db = folder / "catalogue.db"
    shutil.copyfile(catalogue, db)
    with running_server(db, metadata_dir) as base:
        yield base


@pytest.fixture(scope="module")
def server(sample_catalogue: Path, metadata_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample catalogue, served."""
    with serving(sample_catalogue, metadata_dir, tmp_path_factory.mktemp("served")) as base:
        yield base


@pytest.fixture(scope="module")
def seeds_server(seeds_catalogue: Path, metadata_dir: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds catalogue built by the pipeline with the project's metadata, served."""
    with serving(seeds_catalogue, metadata_dir, tmp_path_factory.mktemp("served-seeds")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Trouble:
    """What a page did that it never should: dialogs opened, script errors, console errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def assert_none(self) -> None:
        assert (self.dialogs, self.errors, self.console) == ([], [], [])


@pytest.fixture
def trouble() -> Trouble:
    return Trouble()


@pytest.fixture
def page(browser: Browser, trouble: Trouble) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    opened.on("dialog", trouble.dialog)
    opened.on("pageerror", lambda error: trouble.errors.append(str(error)))
    opened.on("console", trouble.message)
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def screenshot_between(page: Page, name: str, top: str, bottom: str) -> Path:
    """A screenshot of the page's full width from the top of one element to the bottom of another."""
    first, last = page.locator(top).first.bounding_box(), page.locator(bottom).first.bounding_box()
    assert first is not None and last is not None
    scrolled = float(page.evaluate("window.scrollY"))
    y = first["y"] + scrolled - 10
    clip = {"x": 0, "y": y, "width": VIEWPORT["width"], "height": last["y"] + scrolled + last["height"] + 10 - y}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def background(page: Page, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor"))


# ---------------------------------------------------------------------------------------------
# The sample catalogue
# ---------------------------------------------------------------------------------------------


def test_home_page_says_what_the_catalogue_is_and_where_to_start(page: Page, server: str,
                                                                 trouble: Trouble) -> None:
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("ISIS defectors: seed collection")
    expect(page.locator(".metadata-description")).to_contain_text("Two archived documents")
    start = page.locator(".provcat-start-list")
    for name in ("Search", "Documents", "Entities", "Integrity"):
        expect(start.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("dl.provcat-queries")).to_contain_text("Documents citing an entity")
    expect(page.get_by_role("link", name="catalogue", exact=True)).to_be_visible()
    screenshot(page, "home")
    start.get_by_role("link", name="Entities", exact=True).click()
    page.wait_for_url("**/catalogue/entities")
    trouble.assert_none()


def test_search_then_mention_then_entity_then_back_to_the_quote(page: Page, server: str,
                                                                trouble: Trouble) -> None:
    page.goto(server + "/")
    page.fill("form.provcat-search input[name=q]", "unique opportunity")
    page.locator("form.provcat-search input[name=q]").press("Enter")
    page.wait_for_url("**/catalogue/-/search?q=unique*")
    expect(page.locator("#documents-heading")).to_have_text("Documents (1)")  # the article itself
    expect(page.locator("#quotes-heading")).to_have_text("Quotes (1)")  # and its quote
    expect(page.locator("#documents .provcat-snippet mark").first).to_have_text("unique")
    screenshot(page, "search-results")

    page.locator("#quotes a.provcat-quote-place").first.click()
    page.wait_for_url(re.compile(r".*/catalogue/documents/article#q-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    # the quote, after the link to its evidence (its speaker's number)
    expect(page.locator(f"#{anchor} .provcat-evidence-link")).to_have_text("1")
    expect(page.locator(f"#{anchor}")).to_have_text("1The defectors are a unique opportunity.")
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()
    screenshot(page, "document")

    mention = page.locator('.provcat-text a.provcat-mention[href="/catalogue/entities/peter-neumann"]').first
    expect(mention).to_have_text("Peter Neumann")
    mention.click()
    page.wait_for_url("**/catalogue/entities/peter-neumann")
    expect(page.locator("h1")).to_have_text("Peter Neumann")
    citing = page.locator("table.provcat-citing tbody tr")
    expect(citing.first).to_contain_text("Defectors speak out")
    expect(citing.first.locator("td").nth(3)).to_have_text("2")  # mentions in the article
    screenshot(page, "entity")

    page.locator("ol.provcat-credited li").filter(has_text="unique opportunity").locator(
        "a.provcat-quote-link").click()
    page.wait_for_url(re.compile(r".*/catalogue/documents/article#q-\d+$"))
    assert page.url.endswith(f"#{anchor}")
    target = page.locator(f"mark#{anchor}")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("data-speaker", "Peter Neumann")
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == anchor
    trouble.assert_none()


def test_quotes_are_coloured_by_speaker_with_a_legend(page: Page, server: str) -> None:
    page.goto(server + "/catalogue/documents/article")
    marks = page.locator(".provcat-text mark.provcat-quote")
    expect(marks).to_have_count(3)
    # three quotes, one speaker: Peter Neumann (twice by name, once as "The director")
    colours = {m.evaluate("e => getComputedStyle(e).backgroundColor") for m in marks.all()}
    assert len(colours) == 1
    legend = page.locator(".provcat-speakers li")
    expect(legend).to_have_count(1)
    expect(legend).to_contain_text("Peter Neumann")
    assert background(page, ".provcat-speakers .provcat-swatch") == colours.pop()
    expect(marks.nth(2)).to_have_attribute(
        "title", "indirect quote · speaker: The director (Peter Neumann) · method: test-rule · confidence: 0.75")
    entries = page.locator("ol.provcat-quote-list li")
    expect(entries).to_have_count(3)
    entries.nth(2).locator("a.provcat-goto").click()
    page.wait_for_url(re.compile(r".*#q-\d+$"))
    expect(page.locator(":target")).to_contain_text("most of them left because of the brutality")


def test_transcript_shows_turns_and_cue_timings(page: Page, server: str, trouble: Trouble) -> None:
    page.goto(server + "/catalogue/documents/captions")
    turns = page.locator(".provcat-text mark.provcat-quote-turn")
    expect(turns).to_have_count(2)
    assert turns.first.evaluate("e => getComputedStyle(e).display") == "block"
    assert turns.first.evaluate("e => getComputedStyle(e, '::before').content") == '"Peter Neumann"'
    cues = page.locator(".provcat-text a.provcat-cue")
    expect(cues).to_have_count(3)
    expect(cues.first).to_have_text("00:00:01")
    assert cues.first.evaluate("e => getComputedStyle(e).position") == "absolute"  # in the margin
    assert background(page, "mark#q-7") != background(page, "mark#q-8")  # two speakers, two colours
    # the reading view: each speaker once, each time once; no cue number, no timing line, no raw label
    text = page.locator(".provcat-text").inner_text()
    assert "-->" not in text and "PETER NEUMANN:" not in text and "INTERVIEWER:" not in text
    assert text.count("00:00:01") == 1
    screenshot(page, "transcript")
    # a cue's time is its anchor: a link to it lands there
    page.goto(server + "/catalogue/documents/captions#t=00:00:07")
    assert page.evaluate("document.querySelector(':target').textContent") == "00:00:07"
    # the source as archived is one click away, every character of it
    page.get_by_role("link", name="the source as archived").click()
    page.wait_for_url(re.compile(r".*\?view=source#text$"))
    source = page.locator(".provcat-text").inner_text()
    assert "00:00:01,000 --> 00:00:04,200" in source and "PETER NEUMANN:" in source
    assert turns.first.evaluate("e => getComputedStyle(e, '::before').content") == "none"  # the label once
    expect(page.locator(".provcat-text a.provcat-cue").first).to_be_hidden()
    trouble.assert_none()


def test_hostile_document_runs_no_script(page: Page, server: str, trouble: Trouble) -> None:
    page.goto(server + "/catalogue/documents/hostile")
    page.wait_for_load_state("networkidle")

    expect(page.locator("h1")).to_have_text("<script>alert('title')</script>")
    expect(page.locator(".provcat-publisher")).to_have_text("<img src=x onerror=alert('publisher')>")
    expect(page.locator("a.provcat-source")).to_have_count(0)  # javascript: is never a link
    text = page.locator(".provcat-text")
    expect(text).to_contain_text("<script>alert(1)</script><img src=x onerror=alert(2)>")
    expect(text.locator("script, img, b")).to_have_count(0)
    expect(page.locator('a[href^="javascript:"], [onerror]')).to_have_count(0)
    assert page.evaluate(
        "Array.from(document.scripts).filter(s => s.textContent.includes('alert')).length") == 0
    text.get_by_text("click", exact=False).first.click()
    page.locator("ol.provcat-quote-list a.provcat-goto").first.click()
    screenshot(page, "hostile")

    page.goto(server + "/catalogue/entities/hostile-entity")
    expect(page.locator("h1")).to_have_text(HOSTILE_NAME)
    expect(page.locator("a.provcat-wikidata")).to_have_count(0)
    page.goto(server + "/catalogue/search?q=alert")
    expect(page.locator("table.rows-and-columns td.col-snippet mark").first).to_have_text("alert")
    page.goto(server + "/catalogue/-/search?q=alert")
    expect(page.locator("#documents .provcat-snippet mark").first).to_have_text("alert")
    page.locator("#documents a.provcat-result-title").first.click()
    expect(page.locator("mark.provcat-hit").first).to_have_text(re.compile("^alert"))
    expect(page.locator(".provcat-text script, .provcat-text img")).to_have_count(0)
    page.goto(server + "/catalogue/documents")  # the table page shows the same text
    expect(page.locator("table.rows-and-columns")).to_contain_text(HOSTILE_TEXT.splitlines()[0])
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Array.from(document.scripts).filter(s => s.textContent.includes('alert')).length") == 0
    trouble.assert_none()


def test_search_quotes_query_form(page: Page, server: str) -> None:
    page.goto(server + "/catalogue/search_quotes")
    page.fill("input[name=q]", "protecting")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_url("**q=protecting*")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(2)
    expect(page.locator("table.rows-and-columns td.col-snippet mark").first).to_have_text("protecting")
    expect(page.locator("table.rows-and-columns td.col-quote a").first).to_have_attribute(
        "href", re.compile(r"/catalogue/documents/.+#q-\d+$"))


# ---------------------------------------------------------------------------------------------
# The seeds, as built by the pipeline with the project's metadata (the README's screenshots)
# ---------------------------------------------------------------------------------------------


def test_seed_home_page(page: Page, seeds_server: str, trouble: Trouble) -> None:
    page.goto(seeds_server + "/")
    expect(page.locator(".metadata-description")).to_contain_text("Two archived documents")
    screenshot(page, "seed-home")
    trouble.assert_none()


def test_seed_article_shows_peter_neumanns_quote_linked_to_him(page: Page, seeds_server: str,
                                                               trouble: Trouble) -> None:
    page.goto(f"{seeds_server}/catalogue/documents/{SEED_ARTICLE}")
    quote = page.locator('.provcat-text mark.provcat-quote[data-speaker="Peter Neumann"]')
    expect(quote).to_have_count(1)
    expect(quote).to_contain_text("shininess is wearing off")
    expect(quote).to_have_attribute("title", re.compile(r"speaker: Peter Neumann · method: curated"))
    legend = page.locator(".provcat-speakers li").filter(has_text="Peter Neumann")
    expect(legend.get_by_role("link", name="Peter Neumann")).to_have_attribute(
        "href", "/catalogue/entities/peter-neumann")
    assert background(page, '.provcat-text mark[data-speaker="Peter Neumann"]') == legend.locator(
        ".provcat-swatch").evaluate("e => getComputedStyle(e).backgroundColor")
    anchor = quote.get_attribute("id")
    assert anchor and re.fullmatch(r"q-\d+", anchor)

    # the picture: from the legend to Peter Neumann's quote (targeted), with the quotes beside the text
    page.goto(f"{seeds_server}/catalogue/documents/{SEED_ARTICLE}#{anchor}")
    expect(quote).to_be_in_viewport()
    screenshot_between(page, "seed-document", ".provcat-main h2", ".provcat-document")

    entry = page.locator("ol.provcat-quote-list li").filter(has_text="shininess")
    expect(entry.locator("a.provcat-goto")).to_have_attribute("href", f"#{anchor}")

    # its evidence, opened from the speaker's number at the quote's start: a curated quote
    quote.locator("a.provcat-evidence-link").click()
    panel = entry.locator("details.provcat-evidence")
    expect(panel).to_have_attribute("open", "")
    expect(panel).to_contain_text("a person (the collection's curator: provcat maintainers), in the sidecar file")
    expect(panel.locator("mark.provcat-evidence-quote")).to_contain_text("shininess is wearing off")
    screenshot_between(page, "seed-evidence", "#quotes", "ol.provcat-quote-list")
    entry.get_by_role("link", name="Peter Neumann").first.click()
    page.wait_for_url("**/catalogue/entities/peter-neumann")
    citing = page.locator("table.provcat-citing tbody tr")
    expect(citing.first.locator("a.provcat-document-link")).to_have_attribute(
        "href", f"/catalogue/documents/{SEED_ARTICLE}")
    credited = page.locator("ol.provcat-credited li").filter(has_text="shininess is wearing off")
    expect(credited.locator("a.provcat-quote-link")).to_have_attribute(
        "href", f"/catalogue/documents/{SEED_ARTICLE}#{anchor}")
    screenshot(page, "seed-entity")

    credited.locator("a.provcat-quote-link").click()
    page.wait_for_url(f"**/catalogue/documents/{SEED_ARTICLE}#{anchor}")
    expect(page.locator(":target")).to_contain_text("shininess is wearing off")
    trouble.assert_none()


# ---------------------------------------------------------------------------------------------
# The archive's state, live: a verification while the site is up
# ---------------------------------------------------------------------------------------------

ARCHIVE_TEXTS = {f"report-{n}.txt": f"The harbour master said on day {n} that the ferry would run again.\n"
                 for n in range(5)}


def built_archive(folder: Path, texts: dict[str, str]) -> tuple[Path, Path, Path]:
    """(archive, metadata folder, catalogue) in ``folder``: the texts, an empty metadata folder, built."""
    from provcat.build import build_catalogue

    archive, metadata, db = folder / "archive", folder / "metadata", folder / "catalogue.db"
    archive.mkdir()
    metadata.mkdir()
    for name, text in texts.items():
        (archive / name).write_text(text)
    build_catalogue(archive, metadata, db)
    return archive, metadata, db


def test_a_verification_while_serving_shows_on_the_next_page(page: Page, tmp_path: Path, trouble: Trouble) -> None:
    from cli_runner import provcat

    from provcat.build import build_catalogue

    archive, metadata, db = built_archive(tmp_path, ARCHIVE_TEXTS)
    with running_server(db, metadata) as base:
        page.goto(base + "/")
        expect(page.locator(".provcat-archive")).to_contain_text("No verification of the archive is recorded yet")

        (archive / "report-0.txt").write_text("The harbour master said nothing.\n")
        (archive / "report-1.txt").unlink()
        (archive / "unexpected.txt").write_text("A file nobody catalogued.\n")
        assert provcat("verify", str(archive), "--db", str(db))[0] == 1

        for where in ("/", "/catalogue/-/integrity"):
            page.goto(base + where)
            summary = page.locator(".provcat-archive .provcat-run-counts")
            for outcome, n in (("intact", 3), ("changed", 1), ("missing", 1), ("unrecorded", 1)):
                expect(summary.locator(f'[data-outcome="{outcome}"]')).to_have_text(f"{n} {outcome}")
            expect(page.locator(".provcat-problems li")).to_have_count(3)
        screenshot(page, "integrity-after-verification")

        page.locator(".provcat-problems").get_by_role("link", name="report-0.txt").click()
        page.wait_for_url("**/catalogue/documents/**")
        state = page.locator("[data-archive-state]")
        expect(state).to_have_attribute("data-archive-state", "changed")
        expect(state).to_contain_text("In the archive: Changed")
        assert background(page, "[data-archive-state]") == "rgb(253, 236, 234)"  # the colour of a problem
        expect(page.locator(".provcat-stored")).to_contain_text("Copy stored in the catalogue: intact")
        screenshot(page, "document-changed-in-archive")

        response = page.goto(base + "/catalogue/fixity_events")
        assert response is not None and response.status == 200
        expect(page.locator("body")).to_contain_text("changed")

        (archive / "report-9.txt").write_text("The ferry is back, the harbour master said.\n")
        build_catalogue(archive, metadata, db)  # a rebuild replaces the file under the server
        response = page.goto(base + "/catalogue/documents")
        assert response is not None and response.status == 200
        expect(page.locator("body")).to_contain_text("report-9.txt")
    trouble.assert_none()


def test_a_document_downloads_under_its_own_file_name(page: Page, tmp_path: Path, trouble: Trouble) -> None:
    from provcat.build import build_catalogue

    archive, metadata, db = tmp_path / "archive", tmp_path / "metadata", tmp_path / "catalogue.db"
    (archive / "minutes").mkdir(parents=True)
    metadata.mkdir()
    original = "\u201cThe ferry runs again,\u201d said the harbour master.\n".encode()
    (archive / "minutes" / "Harbour minutes, 1 May.txt").write_bytes(original)
    build_catalogue(archive, metadata, db)
    with running_server(db, metadata) as base:
        page.goto(base + "/catalogue/documents")
        page.locator("table.rows-and-columns a[href*='/catalogue/documents/']").first.click()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the original file").click()
        download = download_info.value
        assert download.suggested_filename == "Harbour minutes, 1 May.txt"
        assert Path(download.path()).read_bytes() == original
    trouble.assert_none()


def test_documents_of_other_formats_show_their_description_and_where_the_text_came_from(
        page: Page, tmp_path: Path, trouble: Trouble) -> None:
    """A web page, a PDF and an e-mail, built with an empty metadata folder: a person opens each
    from the list by date, reads who made it and when, how its text was extracted, and the PDF's
    page regions; the e-mail's sender is the speaker of its words; the PDF downloads as it was."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from format_files import write_format_archive

    from provcat.build import build_catalogue

    archive, metadata, db = tmp_path / "archive", tmp_path / "metadata", tmp_path / "catalogue.db"
    files = write_format_archive(archive)
    metadata.mkdir()
    build_catalogue(archive, metadata, db)
    with running_server(db, metadata) as base:
        page.goto(base + "/catalogue/documents_by_date?first=&last=")
        page.get_by_role("link", name="Council report").first.click()
        facts = page.locator("p.provcat-facts")
        assert "by Maren Tolliver" in facts.inner_text() and "2024-03-05T14:30:00Z" in facts.inner_text()
        extracted = page.locator("p.provcat-extracted").inner_text()
        assert "pypdfium2" in extracted and "SHA-256 of the text" in extracted
        assert "We had no other choice" in page.locator("div.provcat-main").inner_text()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the original file").click()
        assert Path(download_info.value.path()).read_bytes() == files["report.pdf"]
        page.get_by_role("link", name="2 regions").click()
        assert page.locator("td.col-locator").all_inner_texts() == ["page 1", "page 2"]
        page.goto(base + "/catalogue/documents/letter")
        legend = page.locator("ul.provcat-speakers").inner_text()
        assert "Maren Tolliver" in legend
        screenshot(page, "document-email")
    trouble.assert_none()


# ---------------------------------------------------------------------------------------------
# A collection of real documents built with an empty metadata folder: the site any collection gets
# ---------------------------------------------------------------------------------------------

DEV_DOCUMENTS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev" / "docs"


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The development documents built by the pipeline with an empty metadata folder, served."""
    from provcat.build import build_catalogue

    if not DEV_DOCUMENTS.is_dir():
        pytest.skip(f"{DEV_DOCUMENTS} is not here")
    folder = tmp_path_factory.mktemp("dev-collection")
    metadata = folder / "metadata"
    metadata.mkdir()
    db = folder / "catalogue.db"
    build_catalogue(DEV_DOCUMENTS, metadata, db)
    with running_server(db, metadata) as base:
        yield base


@dataclass(frozen=True)
class DevNames:
    """Names to search and ask with, read from the development catalogue itself (the tests name no one
    from it): the surname shared by the most-quoted people, and a word that several entities' ids
    share."""

    surname: str
    shared_word: str


@pytest.fixture(scope="module")
def dev_names(dev_server: str) -> DevNames:
    import json
    import urllib.parse
    import urllib.request
    from collections import Counter, defaultdict

    def rows(sql: str) -> list[list[object]]:
        url = f"{dev_server}/catalogue.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "arrays"})
        with urllib.request.urlopen(url) as response:  # noqa: S310 - the local test server
            return json.load(response)["rows"]

    quoted = rows("select e.id, e.name, count(*) from quotes q join entities e on e.id = q.speaker_entity_id "
                  "where e.type = 'person' group by e.id")
    people: dict[str, set[str]] = defaultdict(set)
    said: Counter[str] = Counter()
    for entity_id, name, n in quoted:
        last = str(name).split()[-1].title()  # "Ann Keel" and a label "KEEL" share "Keel"
        people[last].add(str(entity_id))
        said[last] += int(n)  # type: ignore[call-overload]
    surname = max((s for s in people if len(people[s]) >= 2), key=lambda s: said[s])
    words: Counter[str] = Counter()
    for (entity_id,) in rows("select id from entities where documents > 0"):
        words.update({w for w in str(entity_id).split("-") if len(w) >= 3})
    shared_word = max((w for w in words if words[w] >= 3), key=lambda w: (words[w], w))
    return DevNames(surname, shared_word)


def heading_count(page: Page, selector: str, name: str) -> int:
    text = page.locator(selector).inner_text()
    found = re.fullmatch(rf"{name} \(([\d,]+)\)", text.strip())
    assert found, text
    return int(found.group(1).replace(",", ""))


def search_from_the_home_page(page: Page, base: str, words: str) -> None:
    page.goto(base + "/")
    box = page.locator("form.provcat-search input[name=q]")
    assert (box.get_attribute("placeholder") or "").startswith("e.g. ")  # an example from the catalogue
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/catalogue/-/search\?q="))


def test_a_name_search_shows_what_was_said_ranked_apart_with_counts(page: Page, dev_server: str,
                                                                    dev_names: DevNames, trouble: Trouble) -> None:
    name = dev_names.surname
    search_from_the_home_page(page, dev_server, name)
    assert page.title().startswith(f"Search: {name} — ")
    documents = heading_count(page, "#documents-heading", "Documents")
    quotes = heading_count(page, "#quotes-heading", "Quotes")
    assert documents >= 1 and quotes >= 2
    expect(page.locator("form.provcat-search label")).to_have_text("Search the documents and quotes")
    expect(page.locator("form.provcat-search")).not_to_contain_text("SQL")
    data = page.request.get(dev_server + f"/catalogue/-/search.json?q={name}").json()
    assert (data["documents"]["count"], data["quotes"]["count"]) == (documents, quotes)
    results = page.locator("#quotes ol.provcat-quote-results > li")
    expect(results).to_have_count(min(quotes, 20))
    said = [results.nth(k).locator("blockquote").inner_text().strip() for k in range(results.count())]
    speakers = [results.nth(k).locator(".provcat-result-speaker").inner_text().strip() for k in range(results.count())]
    assert all(said) and all(words != speaker for words, speaker in zip(said, speakers, strict=True))
    assert any(name not in words for words in said)  # matched by the speaker: the words said are shown
    expect(page.locator("#quotes a.provcat-result-speaker").first).to_have_attribute(
        "href", re.compile(r"/catalogue/entities/"))
    expect(page.locator("#quotes a.provcat-quote-place").first).to_have_attribute(
        "href", re.compile(r"/catalogue/documents/[^?]+#q-\d+$"))
    screenshot(page, "search-page", full_page=True)
    page.locator('.provcat-facet[data-facet="type"] a').first.click()
    page.wait_for_url(re.compile(r".*[?&]type=\w+"))
    expect(page.locator(".provcat-filters")).to_contain_text("Narrowed to:")
    trouble.assert_none()


def test_a_stemmed_and_a_prefix_search_find_their_documents(page: Page, dev_server: str, trouble: Trouble) -> None:
    search_from_the_home_page(page, dev_server, "protester")  # the text says "protesters"
    result = page.locator('#documents li[data-document="d04"]')
    expect(result).to_have_count(1)
    expect(result.locator(".provcat-snippet mark").first).to_have_text(re.compile("^protesters$", re.I))
    page.goto(dev_server + "/catalogue/-/search?q=intellig*")
    for document in ("d10", "d12"):
        expect(page.locator(f'#documents li[data-document="{document}"]')).to_have_count(1)
    expect(page.locator("#documents .provcat-snippet mark").first).to_have_text(re.compile("^intellig", re.I))
    trouble.assert_none()


def test_a_result_opens_at_its_first_match_and_steps_from_match_to_match(page: Page, dev_server: str,
                                                                         browser: Browser, dev_names: DevNames,
                                                                         trouble: Trouble) -> None:
    name = dev_names.surname
    page.goto(dev_server + f"/catalogue/-/search?q={name}")
    page.locator("#documents a.provcat-result-title").first.click()
    page.wait_for_url(re.compile(rf".*/catalogue/documents/[^?]+\?q={name}#hit-1$"))
    # the most-quoted speaker's turns are labelled with the name in capitals: the reading view shows
    # the speaker once and counts the matches in those labels apart; the source as archived marks them all
    bar = page.locator(".provcat-hits")
    expect(bar).to_contain_text("in labels or markup that only the source as archived shows")
    bar.get_by_role("link", name="the source as archived").click()
    page.wait_for_url(re.compile(rf".*\?q={name}&view=source#text$"))
    page.goto(page.url.split("#")[0] + "#hit-1")
    hits = page.locator(".provcat-text mark.provcat-hit[id]")
    total = hits.count()
    assert total >= 3
    expect(page.locator(".provcat-hits")).to_contain_text(f"{total} matches for “{name}”")
    expect(page.locator("#hit-1")).to_be_in_viewport()
    expect(hits.first).to_have_text(re.compile(f"^{name}", re.I))
    assert page.evaluate("document.querySelector(':target').id") == "hit-1"
    screenshot(page, "document-hits")
    page.locator("#hit-1 .provcat-hit-steps").get_by_role("link", name="next").click()
    page.wait_for_url(re.compile(r".*#hit-2$"))
    expect(page.locator("#hit-2")).to_be_in_viewport()
    page.locator(".provcat-hits a.provcat-hit-next").click()  # the bar follows the match it is at
    page.wait_for_url(re.compile(r".*#hit-3$"))
    page.locator("#hit-3 .provcat-hit-steps").get_by_role("link", name="previous").click()
    page.wait_for_url(re.compile(r".*#hit-2$"))
    trouble.assert_none()

    without_script = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        plain = without_script.new_page()
        plain.goto(page.url.split("#")[0] + "#hit-1")
        plain.locator("#hit-1 .provcat-hit-steps").get_by_role("link", name="next").click()
        plain.wait_for_url(re.compile(r".*#hit-2$"))
        expect(plain.locator("#hit-2 .provcat-hit-steps")).to_be_visible()
        expect(plain.locator("#hit-1 .provcat-hit-steps")).to_be_hidden()
    finally:
        without_script.close()


def test_every_questions_rows_are_links(page: Page, dev_server: str, dev_names: DevNames, trouble: Trouble) -> None:
    # what to ask each question with, on the development documents
    ASKED = {"q": dev_names.surname, "speaker": dev_names.surname, "entity": dev_names.shared_word}
    page.goto(dev_server + "/")
    questions = page.locator("dl.provcat-queries dt a")
    names = [questions.nth(k).get_attribute("href") for k in range(questions.count())]
    assert len(names) >= 7
    for href in names:
        assert href is not None
        page.goto(dev_server + href)
        for name, value in ASKED.items():
            box = page.locator(f"form.sql input[name={name}]")
            if box.count():
                box.fill(value)
        if any(page.locator(f"form.sql input[name={name}]").count() for name in ASKED):
            page.locator("form.sql input[type=submit]").click()
            page.wait_for_load_state()
        rows = page.locator("table.rows-and-columns tbody tr")
        assert rows.count() >= 1, href
        for k in range(rows.count()):
            expect(rows.nth(k).locator('a[href*="/catalogue/documents/"]').first).to_be_visible()
        for column in ("document", "document_id", "quote", "entity", "entity_id", "run"):
            cells = page.locator(f"table.rows-and-columns td.col-{column}")
            for k in range(cells.count()):
                if cells.nth(k).inner_text().strip():
                    expect(cells.nth(k).locator("a")).to_have_count(1)
        assert "select" not in page.title().lower(), (href, page.title())
    trouble.assert_none()


def test_a_name_picks_entities_and_speakers_apart_without_wildcards(page: Page, dev_server: str,
                                                                    dev_names: DevNames) -> None:
    page.goto(dev_server + f"/catalogue/documents_citing?entity={dev_names.shared_word}")
    entities = page.locator("table.rows-and-columns td.col-entity_id")
    found = {entities.nth(k).inner_text().strip() for k in range(entities.count())}
    assert len(found) >= 3 and all(dev_names.shared_word.lower() in entity for entity in found)
    page.goto(dev_server + f"/catalogue/quotes_by_speaker?speaker={dev_names.surname}")
    speakers = page.locator("table.rows-and-columns td.col-speaker_entity_id")
    assert len({speakers.nth(k).inner_text().strip() for k in range(speakers.count())}) >= 2
    expect(page.locator("table.rows-and-columns td.col-quote a").first).to_have_attribute(
        "href", re.compile(r"#q-\d+$"))


# ---------------------------------------------------------------------------------------------
# Accessibility: axe-core (bundled by the axe-playwright-python test dependency, injected from disk)
# ---------------------------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
MOBILE = {"width": 390, "height": 844}


def axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations of the page as loaded, offline."""
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return list(result["violations"])


def accessibility_pages(base: str, document: str, entity: str, words: str) -> dict[str, str]:
    return {"home": base + "/", "documents": base + "/catalogue/documents",
            "document": f"{base}/catalogue/documents/{document}", "entity": f"{base}/catalogue/entities/{entity}",
            "search": f"{base}/catalogue/-/search?q={words}", "integrity": base + "/catalogue/-/integrity"}


def assert_no_serious_violation(page: Page, pages: dict[str, str]) -> None:
    serious = []
    for name, url in pages.items():
        page.goto(url)
        for violation in axe_violations(page):
            nodes = [" ".join(node["target"]) for node in violation["nodes"]]
            line = f"{name}: {violation['impact']} {violation['id']} ({len(nodes)}) {nodes[:3]}"
            if os.environ.get("AXE_DETAIL"):
                line += str([(n["html"][:200], n["failureSummary"]) for n in violation["nodes"][:2]])
            print(line)
            if violation["impact"] in ("serious", "critical"):
                serious.append(line)
    assert serious == []


def test_axe_finds_no_serious_violation_on_the_sample(page: Page, server: str) -> None:
    assert_no_serious_violation(page, accessibility_pages(server, "article", "peter-neumann", "defectors"))


def test_axe_finds_no_serious_violation_on_the_seeds(page: Page, seeds_server: str) -> None:
    assert_no_serious_violation(page, accessibility_pages(seeds_server, SEED_ARTICLE, "peter-neumann",
                                                          "defectors"))


def test_axe_finds_no_serious_violation_on_a_transcript_and_on_a_phone(browser: Browser, page: Page,
                                                                      server: str) -> None:
    assert_no_serious_violation(page, {"transcript": server + "/catalogue/documents/captions"})
    phone = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    try:
        assert_no_serious_violation(phone.new_page(), accessibility_pages(server, "article", "peter-neumann",
                                                                          "defectors"))
    finally:
        phone.close()


def test_every_page_has_its_language_a_main_landmark_and_a_skip_link(page: Page, server: str) -> None:
    for url in accessibility_pages(server, "article", "peter-neumann", "defectors").values():
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("main#main")).to_have_count(1)
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to the content")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()
    page.goto(server + "/catalogue/documents")
    for name in ("Column to filter on", "How to compare", "Value to compare with"):
        expect(page.get_by_label(name, exact=True).first).to_be_visible()


def test_on_a_phone_the_integrity_and_the_quotes_are_one_tap_away(browser: Browser, server: str) -> None:
    phone = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        jump = page.get_by_role("navigation", name="On this page")
        for name, target in (("Integrity", "#integrity"), ("Skip to the quotes", "#quotes")):
            page.goto(server + "/catalogue/documents/article")
            link = jump.get_by_role("link", name=name)
            expect(link).to_be_in_viewport()
            link.tap()
            page.wait_for_url(f"**/catalogue/documents/article{target}")
            expect(page.locator(target)).to_be_in_viewport()
        expect(page.locator("ol.provcat-quote-list li").first).to_be_in_viewport()
        page.goto(server + "/catalogue/documents/article")
        jump.get_by_role("link", name="Integrity").tap()
        expect(page.locator(".provcat-aside .provcat-integrity").first).to_be_in_viewport()
        screenshot(page, "document-phone-integrity")
    finally:
        phone.close()


def first_href(page: Page, url: str, selector: str) -> str | None:
    page.goto(url)
    links = page.locator(selector)
    return links.first.get_attribute("href") if links.count() else None


def test_axe_finds_no_serious_violation_on_a_collection_without_metadata(page: Page, dev_server: str) -> None:
    """The pages of a collection built with an empty metadata folder, each question's among them."""
    pages = {"entities": dev_server + "/catalogue/entities"}
    for kind in ("article", "transcript"):
        href = first_href(page, f"{dev_server}/catalogue/documents?type={kind}", "td.col-text a.provcat-read")
        if href:
            pages[kind] = dev_server + href
    entity = first_href(page, dev_server + "/catalogue/entities", 'table.rows-and-columns a[href*="/entities/"]')
    assert entity is not None
    page.goto(dev_server + "/")
    questions = page.locator("dl.provcat-queries a")
    for k in range(questions.count()):
        pages[f"question {k + 1}"] = dev_server + str(questions.nth(k).get_attribute("href"))
    pages.update(accessibility_pages(dev_server, "-", "-", "council"))
    pages["document"] = pages.get("article", dev_server + "/catalogue/documents")
    pages["entity"] = dev_server + entity
    assert_no_serious_violation(page, pages)


def _first_quoted_document(base: str, page: Page) -> str:
    """A document of the collection with a quote found through a pronoun (its evidence says most)."""
    page.goto(base + "/catalogue/quotes.json?_shape=array&_size=1&method__contains=%2Bpronoun&_col=document_id")
    (row,) = page.evaluate("JSON.parse(document.body.innerText)")
    return f"{base}/catalogue/documents/{row['document_id']}"


def test_a_quotes_evidence_opens_by_keyboard_with_cue_method_confidence_and_build(
        page: Page, dev_server: str, trouble: Trouble) -> None:
    url = _first_quoted_document(dev_server, page)
    page.goto(url)
    presses = 0
    while page.evaluate("document.activeElement.className") != "provcat-evidence-link":
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 60, "no quote's evidence link among the first 60 stops"
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("Evidence of this quote (")
    page.keyboard.press("Enter")
    panel = page.locator("details.provcat-evidence[open]")
    expect(panel).to_have_count(1)
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # the focus went with it
    text = panel.inner_text()
    for shown in ("Speaker", "Cue", "Method", "Confidence", "Made by", "not a probability", "build 1 of",
                  "extractor ", "model en_core_web_sm"):
        assert shown in text, shown
    expect(panel.locator("mark.provcat-evidence-quote")).not_to_have_count(0)
    # Enter on the summary closes it, and opens it again: the panel is the reader's to keep open
    page.keyboard.press("Enter")
    expect(page.locator("details.provcat-evidence[open]")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator("details.provcat-evidence[open]")).to_have_count(1)
    page.locator("h1").click()  # a click elsewhere does not close it (Datasette closes its menus so)
    expect(page.locator("details.provcat-evidence[open]")).to_have_count(1)
    # a pronoun's quote says how its speaker was resolved, and the glossary explains the method
    pronoun = page.locator("details.provcat-evidence", has_text="resolved from a pronoun").first
    pronoun.locator("summary").click()
    pronoun.locator("a", has_text="the speaker resolved from a pronoun").first.click()
    page.wait_for_url(re.compile(r".*/-/methods#step-pronoun$"))
    expect(page.locator("#step-pronoun")).to_contain_text("the speaker resolved from a pronoun")
    trouble.assert_none()


def test_a_quotes_evidence_opens_by_touch_on_a_phone(browser: Browser, dev_server: str) -> None:
    phone = browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        url = _first_quoted_document(dev_server, page)
        page.goto(url)
        link = page.locator("a.provcat-evidence-link").first
        box = link.bounding_box()
        assert box is not None and box["height"] >= 12  # a target a finger can find
        link.tap()
        panel = page.locator("details.provcat-evidence[open]")
        expect(panel).to_have_count(1)
        expect(panel).to_be_in_viewport()
        expect(panel.locator(".provcat-evidence-cue-words")).not_to_be_empty()
        permalink = panel.locator("a.provcat-permalink").get_attribute("href")
        page.goto(dev_server + str(permalink))
        expect(page.locator("h1")).to_contain_text("the evidence")
    finally:
        phone.close()


def test_axe_finds_no_serious_violation_on_the_evidence_and_methods_pages(page: Page, dev_server: str) -> None:
    url = _first_quoted_document(dev_server, page)
    page.goto(url)
    permalink = page.locator("a.provcat-permalink").first.get_attribute("href")
    page.goto(url + "#" + str(page.locator("details.provcat-evidence").first.get_attribute("id")))
    assert_no_serious_violation(page, {"document with a panel open": page.url,
                                       "evidence": dev_server + str(permalink),
                                       "methods": dev_server + "/catalogue/-/methods"})


def test_the_quote_list_is_a_few_tab_presses_away(page: Page, seeds_server: str) -> None:
    page.goto(f"{seeds_server}/catalogue/documents/{SEED_ARTICLE}")
    presses = 0
    while page.evaluate("document.activeElement.getAttribute('href')") != "#quotes":
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 15, "the link to the quotes is not among the first 15 stops"
    page.keyboard.press("Enter")
    page.wait_for_url("**#quotes")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('ol.provcat-quote-list') !== null")
    print(f"{presses} Tab presses to the link to the quotes")


REVIEW_TEXTS = {
    "notes.txt": ("The harbour council met in Lisbon on Monday. Margaret Okafor, the harbour master, said the ferry "
                  "would run again.\n\"We will never close the harbour.\"\nPhoto: Jo Lane/Acme Photo\n"),
    "more.txt": "Margaret Okafor spoke to the council in Lisbon again on Friday.\n",
}


def test_a_curator_settles_review_items_with_the_lines_the_queue_offers(page: Page, tmp_path: Path,
                                                                       trouble: Trouble) -> None:
    import yaml

    from provcat.build import build_catalogue

    archive, metadata, db = built_archive(tmp_path, REVIEW_TEXTS)
    with running_server(db, metadata) as base:
        page.goto(base + "/")
        page.locator(".provcat-start-list").get_by_role("link", name="Review queue").click()
        page.wait_for_url("**/catalogue/-/review")
        expect(page.locator("h1")).to_have_text("Review queue")
        low = page.locator("#low-confidence + p + ol")
        item = low.locator("li", has_text="Jo Lane")
        lines = item.locator("pre.provcat-curation-lines")
        expect(lines).to_be_hidden()
        item.locator("summary").click()
        expect(lines).to_be_visible()
        page.locator("h1").click()  # a click elsewhere leaves the lines open (they are not a menu)
        expect(lines).to_be_visible()
        screenshot(page, "review-queue")
        offered = yaml.safe_load(lines.inner_text().replace("<your name>", "R. Archivist")
                                 .replace("<the evidence>", "a photo credit, not a person cited"))
        reject = [a for a in offered if a["action"] == "reject"]
        unresolved = page.locator("#unresolved-speaker + p + ol li").first
        expect(unresolved).to_contain_text("We will never close the harbour.")

        (metadata / "curation.yml").write_text(yaml.safe_dump({"actions": reject}))
        build_catalogue(archive, metadata, db)
        page.reload()
        expect(page.locator("#low-confidence + p + ol")).not_to_contain_text("Jo Lane")
        page.goto(base + "/catalogue/curation_actions/1")
        expect(page.locator("body")).to_contain_text("a photo credit, not a person cited")
        assert_no_serious_violation(page, {"review queue": base + "/catalogue/-/review"})
    trouble.assert_none()

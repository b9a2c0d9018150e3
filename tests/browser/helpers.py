"""What an officer does in the browser, written once for the browser tests: open the app, move between pages,
upload a file, edit a grid cell, read what a page says.

Streamlit reruns the page script after each action; :func:`settle` waits until the rerun is over, so a test reads
the page only when it is final. Streamlit marks the app root with ``data-test-script-state``.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Download, FrameLocator, Locator, Page, expect

from pprr.rules.status import STATUS_STYLES, Status

ROOT = Path(__file__).resolve().parents[2]
Q3_SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
AGREEMENT = ROOT / "sample_data" / "stockport-cfse-2021-22-agreement.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = ("Workbook", "Measures", "What-if", "Priorities", "Finance", "Report", "Reporting year", "Glossary")
TIMEOUT_MS = 30_000
APP = '[data-testid="stApp"]'
IDLE = f'{APP}[data-test-script-state="notRunning"]'
GRID_IFRAME = 'iframe[title="st_aggrid.AgGrid.agGrid"]:visible'  # the open page's grid (the others are kept, hidden)
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'


def badge(status: Status) -> str:
    """How a status is shown in the app: symbol and word (see :data:`pprr.rules.status.STATUS_STYLES`)."""
    style = STATUS_STYLES[status]
    return f"{style.symbol} {style.label}"


def settle(page: Page) -> None:
    """Wait until the script run the last action started has finished and the page is connected; fail at once
    when the run ended in an exception box."""
    page.locator(IDLE).wait_for(timeout=TIMEOUT_MS)
    expect(page.locator(APP)).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=TIMEOUT_MS)
    exceptions = page.locator(EXCEPTION).all_inner_texts()
    assert not exceptions, f"the page shows an exception: {exceptions}"


def open_app(page: Page, url: str) -> None:
    """Open ``url`` (the app, or a page of it) and wait for its first run to finish."""
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)


def nav_link(page: Page, title: str) -> Locator:
    """The sidebar's menu item for the page ``title`` (the app draws its own page menu, as buttons)."""
    return page.get_by_test_id("stSidebar").get_by_role("button", name=title, exact=True)


def go_to(page: Page, title: str) -> None:
    """Click ``title`` in the sidebar and wait for that page to be drawn."""
    nav_link(page, title).click()
    expect(page.locator("h1").first).to_have_text(title, timeout=TIMEOUT_MS)
    settle(page)


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebarUserContent")


def open_file(page: Page, name: str, data: bytes, mime: str = XLSX) -> None:
    """On the Workbook page, choose a file in the uploader's file chooser, as an officer would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("stFileUploaderDropzone").first.get_by_test_id("stBaseButton-secondary").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def upload(page: Page, path: Path) -> None:
    """Upload the workbook at ``path`` on the Workbook page and wait until the app says it opened."""
    upload_bytes(page, path.name, path.read_bytes())


def upload_bytes(page: Page, name: str, data: bytes) -> None:
    open_file(page, name, data)
    expect(page.get_by_text(f"Opened {name}.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(sidebar(page).get_by_text(name, exact=True)).to_be_visible()
    settle(page)


def expect_edits(page: Page, count: int) -> None:
    """The sidebar's count of edits (changed cells)."""
    text = "No edits yet" if count == 0 else f"{count} edit{'' if count == 1 else 's'}"
    expect(sidebar(page).get_by_text(text, exact=True)).to_be_visible(timeout=TIMEOUT_MS)


def watch_runs(page: Page) -> None:
    """Start noting script runs: :func:`wait_for_run` then waits for the first run after this call to end."""
    page.evaluate("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        window.__pprrRuns = 0;
        if (window.__pprrObserver) { window.__pprrObserver.disconnect(); }
        window.__pprrObserver = new MutationObserver(() => {
            if (app.getAttribute('data-test-script-state') === 'running') { window.__pprrRuns += 1; }
        });
        window.__pprrObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }""")


def wait_for_run(page: Page) -> None:
    """Wait until a script run has started since :func:`watch_runs` and the app is idle again."""
    page.wait_for_function("() => window.__pprrRuns > 0", timeout=TIMEOUT_MS)
    settle(page)


def expect_open(page: Page, filename: str) -> None:
    """The sidebar names ``filename`` as the workbook open."""
    expect(sidebar(page).get_by_text(filename, exact=True)).to_be_visible(timeout=TIMEOUT_MS)


# --- the Measures grid ----------------------------------------------------------------------------------------


def grid(page: Page) -> FrameLocator:
    return page.frame_locator(GRID_IFRAME)


def search_measures(page: Page, text: str) -> None:
    """Type into the Measures page's search box and wait for the grid to show only matching rows."""
    box = page.get_by_label("Search code or name")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_text(re.compile(r"^Showing \d+ of \d+ measures\.$"))).not_to_have_text(
        re.compile(r"^Showing (\d+) of \1 measures\.$"), timeout=TIMEOUT_MS)
    settle(page)


def code_cell(page: Page, code: str) -> Locator:
    """The pinned PI code cell of the grid row whose code is exactly ``code``."""
    expect(page.locator(GRID_IFRAME)).to_have_count(1, timeout=TIMEOUT_MS)
    found = grid(page).locator('.ag-pinned-left-cols-container [col-id="code"]').filter(
        has_text=re.compile(rf"^{re.escape(code)}$"))
    expect(found).to_have_count(1, timeout=TIMEOUT_MS)
    return found


def cell(page: Page, code: str, field: str) -> Locator:
    """The grid cell of column ``field`` in the row whose PI code is exactly ``code``, brought into view.

    AG Grid draws the pinned PI code column and the other columns as separate row elements that share a
    ``row-id`` (the sheet row): the row is found by its code, the cell by that id. Columns scrolled out of view are not
    drawn at all, so a cell that is not there is reached as a keyboard user would: click the row's code, then
    press the right arrow until the cell has the focus (the grid scrolls it into view).
    """
    pinned = code_cell(page, code)
    row_id = pinned.locator("xpath=ancestor::div[@row-id][1]").get_attribute("row-id")  # the sheet row
    target = grid(page).locator(f'.ag-row[row-id="{row_id}"] [col-id="{field}"]')
    if not target.count():
        pinned.click()
        focused = grid(page).locator(".ag-cell-focus")
        while (current := focused.get_attribute("col-id")) != field:
            focused.press("ArrowRight")
            expect(focused).not_to_have_attribute("col-id", current)
    return target


def edit_cell(page: Page, code: str, field: str, text: str) -> str:
    """Double-click a grid cell, type ``text`` and press Enter to commit it; the message the page then shows
    ("Saved in your draft: ..." or why the value was refused; blank when the page says nothing), read once the run
    the commit started is over. The grid stays on the page: its rows are updated in place."""
    target = cell(page, code, field)
    target.dblclick()
    editor = grid(page).locator(".ag-cell-editor input, .ag-cell-editor textarea, .ag-popup-editor textarea").first
    expect(editor).to_be_focused(timeout=TIMEOUT_MS)
    editor.press("Control+a")
    editor.type(text)
    watch_runs(page)
    editor.press("Enter")
    wait_for_run(page)
    message = page.get_by_test_id("stMain").get_by_test_id("stAlert")
    return message.last.inner_text() if message.count() else ""  # the page's own, after any notice


# --- reading pages --------------------------------------------------------------------------------------------


def section_text(page: Page, heading: str) -> str:
    """The text of the main page from the ``h2`` starting with ``heading`` up to the next ``h2``."""
    text = page.get_by_test_id("stMain").evaluate(
        """(main, heading) => {
            const blocks = [...main.querySelector('[data-testid="stVerticalBlock"]').children];
            const isHeading = (el) => { const h = el.querySelector('h2'); return h ? h.innerText.trim() : null; };
            const start = blocks.findIndex((el) => (isHeading(el) || '').startsWith(heading));
            if (start < 0) return null;
            const rest = blocks.slice(start + 1);
            const end = rest.findIndex((el) => isHeading(el) !== null);
            return [blocks[start], ...(end < 0 ? rest : rest.slice(0, end))].map((el) => el.innerText).join('\\n');
        }""",
        heading,
    )
    assert text is not None, f"no section headed {heading!r}"
    return text


def error_boxes(page: Page) -> list[str]:
    """The text of every exception box and error alert on the page, and any traceback in its text."""
    found = [box.inner_text() for box in page.locator(f"{EXCEPTION}, {ERROR_ALERT}").all()]
    if "Traceback" in page.locator("body").inner_text():
        found.append("a traceback in the page text")
    return found


def table_after(element: Locator) -> list[str]:
    """The text of the drawn cells, row by row, of the first ``st.dataframe`` shown after ``element``."""
    table = element.locator(
        "xpath=ancestor::*[@data-testid='stElementContainer'][1]"
        "/following-sibling::*[.//*[@data-testid='stDataFrame']][1]")
    cells = table.locator('[data-testid^="glide-cell-"]')
    expect(cells.first).to_be_attached(timeout=TIMEOUT_MS)
    return cells.all_inner_texts()


def wait_drawn(page: Page) -> None:
    """Wait until the page's run is over and its charts and grids have drawn their contents."""
    settle(page)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=TIMEOUT_MS)
    for chart in page.get_by_test_id("stVegaLiteChart").all():
        expect(chart.locator(".marks").first).to_be_visible(timeout=TIMEOUT_MS)
    if page.locator(GRID_IFRAME).count():  # the open page's grid (the other pages' grids are kept, hidden)
        expect(grid(page).locator(".ag-row").first).to_be_visible(timeout=TIMEOUT_MS)


def save_full_page(page: Page, path: Path) -> None:
    """A screenshot of the whole page at the current width: the app scrolls inside its main area, so the window
    is made as tall as that area's content for the shot, then set back."""
    wait_drawn(page)
    size = page.viewport_size
    main = page.get_by_test_id("stMain")
    for _ in range(5):  # a taller window can lay the page out a little taller (wrapped lines, wider boxes)
        height = main.evaluate("main => main.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
        page.wait_for_timeout(100)
        if main.evaluate("main => main.scrollHeight <= main.clientHeight"):
            break
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


def download(page: Page, button: str) -> Download:
    """Click a download button and return the file the browser saved."""
    with page.expect_download(timeout=TIMEOUT_MS) as saved:
        page.get_by_role("button", name=button, exact=True).click()
    return saved.value


def open_priority_view(page: Page, view: str) -> None:
    """On the Priorities page, open the view ``view`` (Measures, Exceptions, Commentary or Key projects) of the
    priority shown (the first section's, when every priority is shown)."""
    main = page.get_by_test_id("stMain")
    views = main.get_by_role("group", name=re.compile(r"^Views of priority")).first
    button = views.get_by_role("button", name=view, exact=True)
    button.click()
    # Marked pressed by the run that draws the view (the mark comes from the server, just before the view).
    expect(button).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT_MS)
    settle(page)


def show_priority(page: Page, label: str) -> None:
    """On the Priorities page, press ``label``'s start (e.g. "5. Children ..." or "Every priority") in the
    overview's list of priorities."""
    overview = page.get_by_test_id("stMain").get_by_role("group", name="Priorities shown")
    button = overview.get_by_role("button", name=re.compile("^" + re.escape(label))).first
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT_MS)
    if not label.startswith("Every priority"):  # its section drawn, not only the run started
        expect(page.locator("h2", has_text=label).first).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)

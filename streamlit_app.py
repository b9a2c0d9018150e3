"""pprr: the Portfolio Performance and Resource Report app. Run with ``streamlit run streamlit_app.py``."""

from pathlib import Path

import streamlit as st

from app import grid as _grid
from app import html_table, status_box
from app import state as _state
from app.choice import choice


def sidebar_status() -> None:
    working = _state.working()
    headline, where = _state.edits_state()
    saved, why_not = _state.draft_status()
    st.html(status_box.status_html(status_box.Status(
        filename=working.filename, illustrative=_state.current().portfolio.illustrative, headline=headline,
        where=where, not_saved=None if saved else why_not, scenario_targets=len(working.scenario))))
    if not saved and _state.draft_stale():
        st.button("Reload the draft", key="reload_draft", on_click=_state.reload_draft)


# The app's own layout rules (no user text): a compact page menu, less empty space above each page,
# captions dark enough to read (at least 4.5:1 on the page and on the sidebar, WCAG 2.1 AA); the short tables'
# and the sidebar's status box's own rules (app/html_table.py, app/status_box.py).
STYLE = """<style>
.st-key-pprr_nav [data-testid="stVerticalBlock"] { gap: 0.15rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stCaptionContainer"] { opacity: 1; color: #4D535B; }
[data-testid="stCaptionContainer"] p { color: #4D535B; }
""" + html_table.STYLE + status_box.STYLE + "</style>"

st.set_page_config(page_title="pprr", layout="wide")
st.html(STYLE)
_state.settle_memory()

_state.start()



@st.fragment(run_every=600)
def _in_step_with_the_server() -> None:
    """Draws nothing. A page with a self-rerunning fragment is rerun at once when its tab reconnects, so a tab left
    open across a server restart shows what the store holds, not the page the old server drew."""


_in_step_with_the_server()
note = _state.notice()
with st.container():  # always there, so what follows keeps its place on the page whether or not a notice shows
    if note:
        st.info(note)
PAGES = (
    ("pages/workbook.py", "Workbook"),
    ("pages/measures.py", "Measures"),
    ("pages/what_if.py", "What-if"),
    ("pages/priorities.py", "Priorities"),
    ("pages/finance.py", "Finance"),
    ("pages/report.py", "Report"),
    ("pages/periods.py", "Reporting year"),
    ("pages/glossary.py", "Glossary"),
)
pages = [st.Page(path, title=title, default=path == PAGES[0][0]) for path, title in PAGES]
# The app draws its own page menu: with client.showSidebarNavigation off, Streamlit never lists the files in
# pages/ (it would on a fresh server's first run, before this script has said which pages there are). The menu
# items are buttons, drawn as one element (app/choice.py): a click on a link while a text box still holds focus is
# overridden by the box's own rerun (the box commits its text after the link has asked for the new page), while a
# button's click is kept.
# A tab that was open before a server restart reconnects to a new session that does not know its page: the page
# named in its address opens, so the edit it sends is read by the same page it was made on.
# A menu click opens its page in the run the click starts (one run, not a run and then a page switch).
_state.open_named_page(tuple(path for path, _title in PAGES))
_GOTO = "pprr_goto"
chosen = st.session_state.pop(_GOTO, None)
opened = chosen is not None and _state.run_page(Path(PAGES[chosen][0]).stem)
page = st.navigation(pages, position="hidden")
path = next(path for path, title in PAGES if title == page.title)
_state.remember_page(path)
if chosen is not None and not opened and pages[chosen].title != page.title:
    st.switch_page(pages[chosen], query_params=st.query_params.to_dict())  # keeps the draft token
with st.sidebar.container(key="pprr_nav"):
    st.markdown("**pprr**")
    choice([each.title for each in pages], next(i for i, each in enumerate(pages) if each.title == page.title),
           key="pprr_nav_menu", on_choose=lambda number: st.session_state.__setitem__(_GOTO, number), label="Pages",
           kind="menu")
status = st.sidebar.container()  # filled after the page, so it counts an edit the page has just taken
_grid.begin(Path(path).stem)  # the grids of the pages that have one, kept in the browser across pages
try:
    page.run()
    _grid.finish()  # see app/grid.py
finally:
    _grid.end()


with status:
    sidebar_status()

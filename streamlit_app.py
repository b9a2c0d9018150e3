"""pprr: the Portfolio Performance and Resource Report app. Run with ``streamlit run streamlit_app.py``."""

import streamlit as st

from app import state as _state

st.set_page_config(page_title="pprr", layout="wide")

working = _state.start()
portfolio = _state.current().portfolio

with st.sidebar:
    st.caption("Workbook open")
    st.text(working.filename)
    if portfolio.illustrative:
        st.warning("ILLUSTRATIVE FIGURES: not the council's reported data.", icon=":material/warning:")
    count = _state.unsaved_count()
    st.text(f"{count} unsaved edit{'' if count == 1 else 's'}" if count else "No edits")
    saved, why_not = _state.draft_status()
    if not saved:
        st.warning(f"Not saved: {why_not}", icon=":material/sync_problem:")
        if _state.draft_stale():
            st.button("Reload the draft", key="reload_draft", on_click=_state.reload_draft)
    elif working.draft:
        st.caption("Kept as a draft in this page's address until you download the edited workbook or discard it.")



@st.fragment(run_every=600)
def _in_step_with_the_server() -> None:
    """Draws nothing. A page with a self-rerunning fragment is rerun at once when its tab reconnects, so a tab left
    open across a server restart shows what the store holds, not the page the old server drew."""


_in_step_with_the_server()
note = _state.notice()
if note:
    st.info(note, icon=":material/info:")
PAGES = (
    ("pages/workbook.py", "Workbook", ":material/folder_open:"),
    ("pages/measures.py", "Measures", ":material/table_chart:"),
    ("pages/what_if.py", "What-if", ":material/alt_route:"),
    ("pages/priorities.py", "Priorities", ":material/flag:"),
    ("pages/finance.py", "Finance", ":material/currency_pound:"),
    ("pages/report.py", "Report", ":material/description:"),
    ("pages/periods.py", "Reporting year", ":material/calendar_month:"),
)
# A tab that was open before a server restart reconnects to a new session that does not know its page: the page
# named in its address opens, so the edit it sends is read by the same page it was made on.
_state.open_named_page(tuple(path for path, _title, _icon in PAGES))
pages = {st.Page(path, title=title, icon=icon, default=path == PAGES[0][0]): path for path, title, icon in PAGES}
page = st.navigation(list(pages))
_state.remember_page(next(path for p, path in pages.items() if p.title == page.title))
page.run()

"""pprr: the Portfolio Performance and Resource Report app. Run with ``streamlit run streamlit_app.py``."""

import streamlit as st

from app import state as _state


def sidebar_status() -> None:
    working = _state.working()
    st.caption("Workbook open")
    st.text(working.filename)
    if _state.current().portfolio.illustrative:
        st.warning("ILLUSTRATIVE FIGURES: not the council's reported data.")
    headline, where = _state.edits_state()
    st.markdown(f"**{headline}**")
    if where:
        st.caption(where[:1].upper() + where[1:])
    saved, why_not = _state.draft_status()
    if not saved:
        st.warning(f"Not saved: {why_not}")
        if _state.draft_stale():
            st.button("Reload the draft", key="reload_draft", on_click=_state.reload_draft)
    if working.scenario:
        count = len(working.scenario)
        st.info(f"Scenario active: {count} what-if target{'' if count == 1 else 's'}, kept apart from the "
                "official ones.")


st.set_page_config(page_title="pprr", layout="wide")
_state.settle_memory()

_state.start()

note = _state.notice()
if note:
    st.info(note)
pages = [
    st.Page("pages/workbook.py", title="Workbook", default=True),
    st.Page("pages/measures.py", title="Measures"),
    st.Page("pages/what_if.py", title="What-if"),
    st.Page("pages/priorities.py", title="Priorities"),
    st.Page("pages/finance.py", title="Finance"),
    st.Page("pages/report.py", title="Report"),
    st.Page("pages/periods.py", title="Reporting year"),
    st.Page("pages/glossary.py", title="Glossary"),
]
# The app draws its own page links: with client.showSidebarNavigation off, Streamlit never lists the files in
# pages/ (it would on a fresh server's first run, before this script has said which pages there are).
page = st.navigation(pages, position="hidden")
with st.sidebar.container(key="pprr_nav"):
    st.markdown("**pprr**")
    for each in pages:
        st.page_link(each)
status = st.sidebar.container()  # filled after the page, so it counts an edit the page has just taken
page.run()


with status:
    sidebar_status()

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
    if working.draft:
        st.caption("Kept as a draft in this page's address until you download the edited workbook or discard it.")

note = _state.notice()
if note:
    st.info(note, icon=":material/info:")
page = st.navigation([
    st.Page("pages/workbook.py", title="Workbook", icon=":material/folder_open:", default=True),
    st.Page("pages/measures.py", title="Measures", icon=":material/table_chart:"),
    st.Page("pages/what_if.py", title="What-if", icon=":material/alt_route:"),
    st.Page("pages/priorities.py", title="Priorities", icon=":material/flag:"),
    st.Page("pages/finance.py", title="Finance", icon=":material/currency_pound:"),
    st.Page("pages/report.py", title="Report", icon=":material/description:"),
    st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
])
page.run()

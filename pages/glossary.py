"""Glossary: the workbook's terms and acronyms, searchable."""

import pandas as pd
import streamlit as st

from app import state as _state

st.title("Glossary")
wb = _state.current()
st.caption("Terms and acronyms from the workbook's Glossary sheet.")
if wb.glossary:
    search = st.text_input("Search terms and meanings", key="glossary_search", placeholder="e.g. SEND")
    frame = pd.DataFrame([(g.term, g.meaning) for g in wb.glossary], columns=["Term", "Meaning"])
    if search.strip():
        needle = search.strip().casefold()
        frame = frame[frame["Term"].str.casefold().str.contains(needle, regex=False)
                      | frame["Meaning"].str.casefold().str.contains(needle, regex=False)]
    st.caption(f"Showing {len(frame)} of {len(wb.glossary)} terms.")
    st.dataframe(frame, hide_index=True, width="stretch", key="glossary_table",
                 column_config={"Term": st.column_config.TextColumn(width=140),
                                "Meaning": st.column_config.TextColumn(width=700)})
else:
    st.text("The workbook has no Glossary sheet.")


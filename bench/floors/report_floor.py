"""The floor for the Report page's Build: a bare Streamlit page whose button builds the bare reportlab document of
:mod:`bench.pack_floor` (35 A4 pages of plain tables) in the server, with a progress bar, then offers it for
download. Run by ``bench.report_build``."""

import io

import streamlit as st

from bench.pack_floor import build

st.set_page_config(page_title="report floor", layout="wide")
st.title("Report floor")
if st.button("Build", key="build", type="primary"):
    bar = st.progress(0.0, text="Laying out pages")
    buffer = io.BytesIO()
    build(buffer)
    bar.empty()
    st.session_state["pdf"] = buffer.getvalue()
if "pdf" in st.session_state:
    st.download_button("Download the PDF", st.session_state["pdf"], "floor.pdf", "application/pdf",
                       key="download", on_click="ignore")

"""The floor for page navigation: a bare two-page ``st.navigation`` app showing the same rows in ``st.dataframe``.
Run by ``bench.browser``."""

import streamlit as st

from bench.floors.rows import measure_rows


@st.cache_data
def rows():
    return measure_rows()


def first() -> None:
    st.title("First")
    st.dataframe(rows(), hide_index=True)


def second() -> None:
    st.title("Second")
    st.dataframe(rows(), hide_index=True)


st.set_page_config(page_title="navigation floor", layout="wide")
st.navigation([st.Page(first, title="First", default=True), st.Page(second, title="Second")]).run()

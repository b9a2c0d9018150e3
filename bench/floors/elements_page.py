"""A bare two-page app whose second page draws ``PPRR_ELEMENT_COUNT`` elements of one kind
(``PPRR_ELEMENT_KIND``): what ``bench.element_cost`` times a change to."""

import os

import streamlit as st

from app.choice import choice

KIND = os.environ.get("PPRR_ELEMENT_KIND", "none")
COUNT = int(os.environ.get("PPRR_ELEMENT_COUNT", "10"))
OPTIONS = ["a", "b", "c", "d"]
ROWS = "".join(f"<tr><td>CFSE.{r}</td><td>Percentage of children measured in year {r}</td><td>✓ Green</td>"
               f"<td>12.5%</td><td>9.5%</td><td>↑ Improving</td></tr>" for r in range(150))
TABLE = f"<div><table><tr><th>a</th><th>b</th><th>c</th><th>d</th><th>e</th><th>f</th></tr>{ROWS}</table></div>"


TEXTS = {"caption": st.caption, "markdown": st.markdown, "text": st.text, "html": st.html, "warning": st.warning,
         "header": st.header}  # elements of text alone


def draw(kind: str, i: int) -> None:
    key = f"w{i}"
    if kind == "button":
        st.button(f"Button {i}", key=key)
    elif kind == "multiselect":
        st.multiselect(f"Multi {i}", OPTIONS, key=key, placeholder="All")
    elif kind == "selectbox":
        st.selectbox(f"Select {i}", OPTIONS, key=key)
    elif kind == "text_input":
        st.text_input(f"Text {i}", key=key)
    elif kind == "expander":  # closed, drawn only while open
        st.expander(f"Box {i}", key=key, on_change="rerun")
    elif kind == "tabs":
        with st.tabs(["A", "B", "C", "D"], key=key, on_change="rerun")[0]:
            st.text("in")
    elif kind == "pills":
        st.pills(f"Pills {i}", OPTIONS, selection_mode="multi", key=key)
    elif kind in TEXTS:
        TEXTS[kind](f"{kind.capitalize()} {i}")
    elif kind == "html_table_150_rows" and i == 0:
        st.html(TABLE)
    elif kind == "choice_8_buttons":  # pprr's own set of buttons drawn as one element
        choice([f"Page {n}" for n in range(8)], 0, key=key, on_choose=lambda n: None, label="Pages", kind="menu")


def first() -> None:
    st.title("First")


def second() -> None:
    st.title("Second")
    for i in range(COUNT):
        draw(KIND, i)


st.navigation([st.Page(first, title="First"), st.Page(second, title="Second")],
              position="sidebar").run()

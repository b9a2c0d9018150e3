"""The floor for an edit: a bare streamlit-aggrid page with a stable key, ``server_sync_strategy="server_wins"`` and
row ids, whose server recomputes one column (status) of the edited row. Run by ``bench.browser``."""

import streamlit as st
from st_aggrid import AgGrid, DataReturnMode, JsCode

from bench.floors.rows import measure_rows, status_of

st.set_page_config(page_title="grid floor", layout="wide")
if "rows" not in st.session_state:
    frame = measure_rows()
    frame["status"] = frame["actual"].map(status_of)
    st.session_state["rows"] = frame


def take(response) -> None:
    data = response.data
    if data is not None:
        data = data.reset_index(drop=True)
        data["status"] = data["actual"].map(status_of)
        st.session_state["rows"] = data


st.title("Grid floor")
options = {"columnDefs": [
    {"field": "code", "pinned": "left"}, {"field": "status", "pinned": "left"},
    {"field": "actual", "editable": True}, {"field": "target"}, {"field": "name"}, {"field": "commentary"},
    {"field": "row", "hide": True}],
    "getRowId": JsCode("function(p) { return String(p.data.row); }")}
AgGrid(st.session_state["rows"].copy(), gridOptions=options, height=560, key="floor_grid",
       data_return_mode=DataReturnMode.AS_INPUT, update_on=["cellValueChanged"], server_sync_strategy="server_wins",
       allow_unsafe_jscode=True, callback=take)

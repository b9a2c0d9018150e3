"""The Import step of the Workbook page: bring a council's own workbook (.xlsx, .xls or .ods) into the template.

The officer uploads the file (and, next quarter, the saved mapping); every sheet is shown with the headings pprr
found and what it looks like; each column of an imported sheet has a choice of template field, proposed by pprr and
changed by the officer; a preview shows the first measures and budget lines as pprr reads them back, with every
default stated and every row left out listed. Then the officer downloads the workbook and the mapping, or opens
the workbook straight away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from pprr.safe_text import markdown_text
from pprr.schema import REPORTING_PERIODS
from pprr.workbook import importer
from pprr.workbook.layout_sniff import describe, layout_at

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SOURCE = "import_source"  # (digest, Source, saved Mapping | None, notes)
OPEN = "import_step_open"  # the Import step's box is open
_KINDS = list(importer.SHEET_KINDS)


def render(open_workbook: Callable[[bytes, str], None] | None = None) -> None:
    """Draw the Import step. ``open_workbook(data, filename)`` opens the imported workbook in the app. Its upload
    boxes and mapping are drawn only while its box is open: most visits to the Workbook page do not import."""
    st.subheader("Import a workbook in your own layout")
    st.caption("Measures or a budget kept in a spreadsheet of your own (.xlsx, .xls or .ods): pprr finds the "
               "headings, proposes where each column goes in the template, and you confirm it column by column.")
    box = st.expander("Upload your own spreadsheet and map its columns", key=OPEN, on_change="rerun")
    if not box.open:
        st.session_state.pop(_SOURCE, None)
        return
    with box:
        _step(open_workbook)


def _step(open_workbook: Callable[[bytes, str], None] | None) -> None:
    uploaded = st.file_uploader("Your council's workbook", type=["xlsx", "xls", "ods"], key="import_upload",
                                help="Nothing you upload is shared. The file is read, never changed.")
    saved = st.file_uploader("A mapping saved from an earlier import (optional)", type=["toml", "json"],
                             key="import_mapping_upload")
    if uploaded is None:
        st.session_state.pop(_SOURCE, None)
        return
    data = uploaded.getvalue()
    mapping_text = saved.getvalue().decode("utf-8", errors="replace") if saved is not None else ""
    digest = hashlib.sha256(data + mapping_text.encode()).hexdigest()[:12]
    if st.session_state.get(_SOURCE, (None,))[0] != digest:
        st.session_state[_SOURCE] = (digest, *_read(data, uploaded.name, mapping_text))
    _, source, mapping, notes = st.session_state[_SOURCE]
    if source is None:
        return
    for note in notes:
        st.info(markdown_text(note))
    mapping = _portfolio_inputs(source, mapping, digest)
    chosen = importer.Mapping(portfolio=mapping.portfolio, defaults=mapping.defaults)
    for index, (name, layout) in enumerate(source.layouts.items()):
        sheet = _sheet_inputs(source, name, layout, mapping.sheet(name), f"imp_{digest}_{index}")
        if sheet is not None:
            chosen.sheets.append(sheet)
    _result(source, chosen, uploaded.name, open_workbook)


def _read(data: bytes, filename: str, mapping_text: str):
    """(Source, Mapping, notes), or (None, None, []) after showing why the file cannot be imported."""
    try:
        source = importer.read_import_source(data, filename)
        if mapping_text:
            fitted, notes = importer.fit_mapping(source, importer.mapping_from_text(mapping_text, "the mapping"))
            return source, fitted, notes
        return source, importer.propose(source), []
    except importer.ImportProblem as exc:
        _problems(exc.problems, f"{filename} cannot be imported:")
        return None, None, []


def _problems(problems, lead: str) -> None:
    lines = "  \n".join(f"• {markdown_text(str(p))}" for p in problems[:8])
    more = f"  \n…and {len(problems) - 8} more." if len(problems) > 8 else ""
    st.error(f"{markdown_text(lead)}  \n{lines}{more}")


def _portfolio_inputs(source, mapping: importer.Mapping, digest: str) -> importer.Mapping:
    st.markdown("**Portfolio**")
    left, right = st.columns(2)
    values = dict(mapping.portfolio)
    for column, name in zip((left, right, left, right), importer.PORTFOLIO_FIELDS, strict=True):
        how = mapping.defaults.get(name)
        help_text = f"Not stated in the file: {how}." if how else "As the file states it."
        if name == "Reporting Period":
            periods = ["", *REPORTING_PERIODS]
            current = values.get(name, "")
            values[name] = column.selectbox(name, periods, index=periods.index(current) if current in periods else 0,
                                            key=f"imp_{digest}_{name}", help=help_text,
                                            format_func=lambda p: p or "Not stated")
            continue
        values[name] = column.text_input(name, values.get(name, ""), key=f"imp_{digest}_{name}", help=help_text)
    mapping.portfolio = {k: v.strip() for k, v in values.items() if v and v.strip()}
    mapping.defaults = {k: v for k, v in mapping.defaults.items() if mapping.portfolio.get(k) ==
                        importer.propose_portfolio(source, importer.Mapping(sheets=mapping.sheets), {}).get(k)}
    return mapping


def _sheet_inputs(source, name: str, layout, proposed: importer.SheetMapping | None, key: str):
    kind = proposed.kind if proposed is not None else importer.SKIP
    # Sheet names and headings are the file's text: escaped, as widget labels render Markdown (links, images).
    with st.expander(markdown_text(f"Sheet '{name}': {describe(layout)}"), expanded=kind != importer.SKIP):
        if layout.kind == "empty":
            st.text("This sheet is empty.")
            return None
        first, second, third = st.columns([2, 1, 1])
        kind = first.selectbox("This sheet is", _KINDS, index=_KINDS.index(kind),
                               format_func=importer.SHEET_KINDS.get, key=f"{key}_kind")
        if kind == importer.SKIP:
            return importer.SheetMapping(name, kind, (layout.heading_row or 0) + 1, layout.heading_rows)
        rows = len(source.grids[name].rows)
        default_row = proposed.heading_row if proposed is not None else (layout.heading_row or 0) + 1
        heading_row = second.number_input("Headings in row", 1, max(rows, 1), min(default_row, max(rows, 1)),
                                          key=f"{key}_row", help="The row just above the first row of data.")
        two_rows = third.checkbox("Headings over two rows", (proposed.heading_rows if proposed else
                                                             layout.heading_rows) == 2, key=f"{key}_two")
        here = layout_at(source.grids[name], int(heading_row) - 1, 2 if two_rows else 1, source.merged.get(name, ()))
        if proposed is not None and (proposed.kind, proposed.heading_row, proposed.heading_rows) == (
                kind, int(heading_row), 2 if two_rows else 1):
            columns = proposed.columns
        else:
            columns = importer.propose_sheet(source, name, kind, here).columns
        roles = importer.roles_for(kind)
        st.caption("Where each column goes in the template (proposed by pprr: check each one).")
        grid = st.columns(3)
        chosen = {}
        widget = f"{key}_{kind}_{int(heading_row)}_{int(two_rows)}"
        for index, (heading, role) in enumerate(columns.items()):
            chosen[heading] = grid[index % 3].selectbox(
                markdown_text(heading), roles, index=roles.index(role) if role in roles else roles.index(importer.LEAVE_OUT),
                key=f"{widget}_{index}", help=importer.ROLE_HELP.get(role))
        keys = importer.column_keys(here, source.grids[name])
        grid_values = source.grids[name]
        preview = [[importer.shown(grid_values.value(r, c), grid_values.formats.get((r, c))) for c in keys]
                   for r in here.data_rows[:5]]
        st.caption(f"The first rows of the sheet under its headings ({len(here.data_rows)} rows of data"
                   f"{f', {len(here.total_rows)} total rows left out' if here.total_rows else ''}):")
        st.dataframe(pd.DataFrame(preview, columns=list(keys.values())), hide_index=True, width="stretch",
                     key=f"{widget}_source")
        return importer.SheetMapping(name, kind, int(heading_row), 2 if two_rows else 1, chosen)


def _result(source, mapping: importer.Mapping, filename: str, open_workbook) -> None:
    st.markdown("**The workbook pprr will write**")
    try:
        result = importer.build(source, mapping)
    except importer.ImportProblem as exc:
        _problems(exc.problems, "This mapping cannot be imported yet:")
        return
    wb = result.workbook
    st.text(f"{len(wb.measures)} measures under {len(wb.priorities)} priorities and {len(wb.budget)} budget lines, "
            f"as pprr reads them back:")
    if wb.measures:
        st.dataframe(pd.DataFrame(importer.preview_rows(result)), hide_index=True, width="stretch",
                     key="import_preview_measures")
    if wb.budget:
        st.dataframe(pd.DataFrame(importer.budget_preview_rows(result)), hide_index=True, width="stretch",
                     key="import_preview_budget")
    if result.notes:
        st.markdown("**Defaults used, rows left out and columns not mapped**")
        st.text("\n".join(f"• {note}" for note in result.notes))
    stem = filename.rsplit(".", 1)[0]
    left, middle, right = st.columns(3)
    left.download_button("Download the imported workbook", result.data, f"{stem}-pprr.xlsx", XLSX,
                         key="import_download", on_click="ignore")
    middle.download_button("Download the mapping (.toml)", importer.mapping_to_toml(mapping, filename),
                           f"{stem}-mapping.toml", "application/toml", key="import_mapping_download",
                           on_click="ignore", help="Upload it with next quarter's file to import in one step.")
    if open_workbook is not None:
        right.button("Open the imported workbook", key="import_open", type="primary", on_click=open_workbook,
                     args=(result.data, f"{stem}-pprr.xlsx"))

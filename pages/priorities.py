"""Priorities: for each priority, its outcome, status summary, measures, commentary and exceptions.

Each section's summary, chart and tables are worked out once per revision of the working copy (:class:`View`).
"""

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from app import html_table
from app import state as _state
from app.choice import choice
from pprr.model import Measure, PortfolioWorkbook, Priority, Project
from pprr.report import chart_data, vector
from pprr.rules.agreement import flag_key, flags_text, progress_line, project_badge, projects_of
from pprr.rules.status import STATUS_STYLES, Rating, Status, count_statuses
from pprr.rules.values import UnreadableValue, format_value
from pprr.safe_text import markdown_html_block, markdown_text
from pprr.schema import PRIORITIES, PROJECT_STATUSES, PROJECTS
from pprr.year.edits import COMMENTARY, STATUS

_MESSAGE = "priorities_message"
_VIEW = "priorities_view"
PROJECT_COLUMNS = {"Project": 260, "Milestone": 200, "Lead": 150, "Due": 100, "Progress": 110, "Status": 120,
                   "Commentary": 420}
EXCEPTION_CARDS = 25  # Red measures shown in full per priority; any more are listed in one table after them
ALL = 0  # the "every priority" choice of the section picker


def measures_table(pairs: list[tuple[Measure, Rating]]) -> pd.DataFrame:
    rows = [(m.theme, m.label, m.name, flags_text(m), r.badge, f"{r.arrow} {r.trend.value}" if r.trend else "",
             f"{format_value(r.latest.raw)} ({r.latest_label})" if r.latest else "", m.target.raw)
            for m, r in pairs]
    return pd.DataFrame(rows, columns=["Theme", "Measure", "Name", "Flags", "Status", "Trend", "Actual (latest)",
                                       "Target"])


def projects_table(projects: tuple[Project, ...]) -> pd.DataFrame:
    """The delivery plan of one priority: Progress (symbol and word) is shown; Status and Commentary are edited."""
    rows = [(p.project, p.milestone, p.lead, p.due, project_badge(p), p.status or None, p.commentary)
            for p in projects]
    return pd.DataFrame(rows, columns=list(PROJECT_COLUMNS))


def exceptions_table(pairs: list[tuple[Measure, Rating]]) -> pd.DataFrame:
    rows = [(m.label, m.name, r.reason, m.commentary or "No commentary given.") for m, r in pairs]
    return pd.DataFrame(rows, columns=["Measure", "Name", "Reason", "Commentary"])


@dataclass(frozen=True)
class Section:
    """What one priority's section shows."""

    priority: Priority
    counts: str
    pairs: tuple[tuple[Measure, Rating], ...]
    measures: pd.DataFrame
    red: list[tuple[Measure, Rating]]  # shown in full, up to EXCEPTION_CARDS
    more_red: pd.DataFrame  # the Red measures after those


def section(wb: PortfolioWorkbook, priority: Priority, pairs: list[tuple[Measure, Rating]]) -> Section:
    counts = count_statuses(r for _, r in pairs)
    line = "   ".join(f"{STATUS_STYLES[s].symbol} {STATUS_STYLES[s].label}: {n}" for s, n in counts.items())
    red = [(m, r) for m, r in pairs if r.status is Status.RED]
    return Section(priority, line, tuple(pairs), measures_table(pairs), red[:EXCEPTION_CARDS],
                   exceptions_table(red[EXCEPTION_CARDS:]))


CHART_WIDTH = 420  # points; shown at most at its size (a point is 4/3 of a CSS pixel), smaller in a narrow window


def status_chart(wb: PortfolioWorkbook, shown: Section) -> str | None:
    """The section's chart, the packs' own drawing of it as inline SVG (with its text alternative), ready for
    ``st.markdown``; None when no measure is linked to the priority. The browser draws it at once: as a Vega chart
    it was a fifth of the browser's work in a change to this page."""
    if not shown.pairs:
        return None
    subset = replace(wb, priorities=(shown.priority,), measures=tuple(m for m, _ in shown.pairs))
    chart = chart_data.priority_status_bar(subset, tuple(r for _, r in shown.pairs))
    if chart is None:
        return None
    drawing = vector.svg(chart, CHART_WIDTH, f"status-chart-{shown.priority.number}")
    return markdown_html_block(f'<div style="max-width: {CHART_WIDTH * 4 // 3}px">{drawing}</div>')


@dataclass(frozen=True)
class View:
    """The page's sections for one state of the working copy."""

    source: _state.Derived  # the working copy's derived state they were worked out from
    sections: tuple[Section, ...]
    charts: dict[int, str | None]  # priority number -> its chart, worked out when its section is first shown

    def chart(self, shown: Section) -> str | None:
        if shown.priority.number not in self.charts:
            self.charts[shown.priority.number] = status_chart(self.source.current, shown)
        return self.charts[shown.priority.number]


def view() -> View:
    """The sections, worked out again only when the working copy has changed."""
    derived = _state.derived()
    memo: View | None = st.session_state.get(_VIEW)
    if memo is None or memo.source is not derived:
        wb = derived.current
        by_priority: dict[int, list[tuple[Measure, Rating]]] = {}
        for pair in zip(wb.measures, derived.ratings):
            by_priority.setdefault(pair[0].priority, []).append(pair)
        memo = View(derived, tuple(section(wb, p, by_priority.get(p.number, [])) for p in wb.priorities), {})
        st.session_state[_VIEW] = memo
    return memo


_TYPED = "priorities_typed"  # priority number -> commentary text as last typed (kept across pages)
_SAVED = "priorities_saved"  # priority number whose commentary was just saved


def save_commentary(priority: Priority, key: str) -> None:
    """Save the typed commentary as an edit (in the draft): called when the box loses focus or the button is
    pressed. Text that cannot be saved stays in the box and in this session."""
    text = st.session_state.get(key, "")
    typed = st.session_state.setdefault(_TYPED, {})
    typed[priority.number] = text
    try:
        if _state.edit(PRIORITIES.name, priority.row, COMMENTARY, text):
            st.session_state[_SAVED] = priority.number
        typed.pop(priority.number)  # in the draft now: the box shows the saved text from here on
    except UnreadableValue as exc:
        st.session_state[_MESSAGE] = f"Priority {priority.number} commentary was not saved: {exc}"


def commentary(priority: Priority) -> None:
    """The priority's commentary box. What is typed is saved in the draft as soon as the box loses focus (moving to
    another page included), and kept in this session, so it is never lost."""
    key = f"priority_commentary_{priority.number}"
    typed = st.session_state.setdefault(_TYPED, {})  # only text that could not be saved
    if key not in st.session_state:  # first drawn, or back from another page: the text as last typed
        st.session_state[key] = typed.get(priority.number, priority.commentary)
    st.text_area(f"Officers' commentary for priority {priority.number}", key=key, height=140,
                 on_change=save_commentary, args=(priority, key))
    st.caption("Saved in your draft when you leave the box, or with the button.")
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.button("Save commentary", key=f"save_commentary_{priority.number}", on_click=save_commentary,
                args=(priority, key))
    if st.session_state.get(_SAVED) == priority.number:
        st.session_state.pop(_SAVED)
        right.success("Saved in your draft.")


def save_projects(projects: tuple[Project, ...], key: str) -> None:
    """Each edited Status or Commentary cell of the projects table goes into the edit log, as any other edit."""
    changed = st.session_state.get(key, {}).get("edited_rows", {})
    refused = []
    for index, cells in sorted(changed.items()):
        project = projects[int(index)]
        for column, field in (("Status", STATUS), ("Commentary", COMMENTARY)):
            if column in cells:
                try:
                    _state.edit(PROJECTS.name, project.row, field, cells[column] or "")
                except (UnreadableValue, ValueError) as exc:
                    refused.append(f"{project.label} (Projects sheet, row {project.row}, {column}): {exc}")
    if refused:
        st.session_state[_MESSAGE] = "Not saved: " + "; ".join(refused)


def save_project_form(project: Project, status_key: str, commentary_key: str) -> None:
    """The form's status and commentary for ``project`` into the edit log (only what changed is logged)."""
    changes = {STATUS: st.session_state[status_key] or "", COMMENTARY: st.session_state[commentary_key]}
    for field, text in changes.items():
        try:
            _state.edit(PROJECTS.name, project.row, field, text)
        except (UnreadableValue, ValueError) as exc:
            st.session_state[_MESSAGE] = f"{project.label} (Projects sheet, row {project.row}): {exc}"


def project_form(priority: Priority, projects: tuple[Project, ...]) -> None:
    """The same update without the table: for keyboard users and for long commentary."""
    number = priority.number
    with st.expander(f"Update a project's progress (priority {number})"):
        pick = st.selectbox("Project", range(len(projects)), format_func=lambda i: projects[i].label,
                            key=f"project_pick_{number}")
        chosen = projects[pick]
        options = ["", *PROJECT_STATUSES]
        suffix = f"{number}_{pick}_{_state.working().revision}"  # fresh fields for each project and revision
        status_key, commentary_key = f"project_status_{suffix}", f"project_commentary_{suffix}"
        st.selectbox("Status", options, index=options.index(chosen.status) if chosen.status in options else 0,
                     format_func=lambda s: s or "Not reported", key=status_key,
                     help="Leave as Not reported until progress is first reported.")
        st.text_area("Commentary", value=chosen.commentary, key=commentary_key, height=100)
        st.button("Save project progress", key=f"save_project_{number}", on_click=save_project_form,
                  args=(chosen, status_key, commentary_key))


def key_projects(priority: Priority) -> None:
    """The priority's projects with their progress; Status and Commentary can be changed in the table."""
    projects = projects_of(_state.current(), priority.number)
    st.markdown("**Progress on key projects**")
    if not projects:
        st.text("No projects are listed for this priority (Projects sheet).")
        return
    st.text(progress_line(projects))
    key = f"projects_{priority.number}_{_state.working().sha[:12]}_{_state.working().revision}"
    config = {name: st.column_config.TextColumn(width=px) for name, px in PROJECT_COLUMNS.items()}
    config["Status"] = st.column_config.SelectboxColumn(
        "Status", options=list(PROJECT_STATUSES), width=PROJECT_COLUMNS["Status"],
        help="Choose the project's progress; the change downloads into the workbook like any other edit.")
    config["Commentary"] = st.column_config.TextColumn("Commentary", width=PROJECT_COLUMNS["Commentary"],
                                                       help="Double-click to edit.")
    st.data_editor(projects_table(projects), key=key, hide_index=True, width="stretch", column_config=config,
                   disabled=[c for c in PROJECT_COLUMNS if c not in ("Status", "Commentary")],
                   on_change=save_projects, args=(projects, key))
    project_form(priority, projects)


def exception_card(m: Measure, r: Rating) -> str:
    """A Red measure as its card reads: the measure, why it is Red, and the officers' commentary. One text for the
    card, not one per line: a priority can have 25 cards, and every element is work for the browser."""
    return "\n\n".join((f"{r.badge}  {m.label}: {m.name}", r.reason, m.commentary or "No commentary given."))


def exceptions(shown: Section) -> None:
    st.markdown("**Exceptions (Red measures)**")
    if not shown.red:
        st.text("None: no measure in this priority is Red.")
    for m, r in shown.red:
        st.container(border=True).text(exception_card(m, r))
    if len(shown.more_red):
        st.caption(f"{len(shown.more_red)} more Red measures in this priority:")
        st.dataframe(shown.more_red, hide_index=True, width="stretch", key=f"more_red_{shown.priority.number}")


def anchor(priority: Priority) -> str:
    return f"priority-{priority.number}"


_SHOW = "priorities_show"  # the section shown: a priority's number, or ALL; kept while on other pages


def shown_sections(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The overview: every priority on one screen with its status counts, each a button that shows its section
    (one at a time, the first at first), then Every priority (every section at once, with its chart and tables,
    takes long to draw). The sections to show."""
    st.header("Overview")
    if not sections:
        st.markdown("The workbook has no priorities.")
        return sections
    numbers = [s.priority.number for s in sections]
    if st.session_state.get(_SHOW) not in (ALL, *numbers):
        st.session_state[_SHOW] = numbers[0]
    shown = st.session_state[_SHOW]
    options = [*numbers, ALL]
    choice([*(f"{s.priority.number}. {s.priority.title}: {s.counts.replace('   ', ' · ')}" for s in sections),
            "Every priority, one after another"], options.index(shown), key="priorities_picker",
           label="Priorities shown", kind="list",
           on_choose=lambda index: st.session_state.__setitem__(_SHOW, options[index]))
    if shown == ALL:
        return sections
    st.caption(f"Showing priority {shown} of {len(sections)}: choose another, or Every priority, above.")
    return tuple(s for s in sections if s.priority.number == shown)


VIEWS = ("Measures", "Exceptions", "Commentary", "Key projects")  # a section's views, one drawn at a time


def view_key(priority: Priority) -> str:
    return f"priority_view_{priority.number}"


def measures_view(shown: Section) -> None:
    priority = shown.priority
    if not shown.pairs:
        st.text("No measures are linked to this priority.")
        return
    # A plain table: names wrap and are read in full (sorting and searching every measure is the Measures page's).
    st.html(html_table.table(shown.measures, f"Measures of priority {priority.number}", wide=("Name",),
                             whole=("Measure", "Status", "Trend"), long=True))
    used = flag_key(m for m in _state.current().measures if m.priority == priority.number)
    if used:
        st.caption(markdown_text("Flags: " + "; ".join(f"{marker} = {meaning}" for marker, meaning in used)))


def priority_section(shown: Section) -> None:
    """The priority's outcome, status counts and chart, then one of its views (measures, exceptions, commentary,
    key projects): only the view open is drawn, as a priority's every table and card at once take long to draw."""
    priority = shown.priority
    st.header(markdown_text(f"{priority.number}. {priority.title}"), divider="gray", anchor=anchor(priority))
    if priority.outcome:
        st.caption("Outcome")
        st.text(priority.outcome)
    st.text(shown.counts)
    chart = view().chart(shown)
    if chart is not None:
        st.markdown(chart, unsafe_allow_html=True)  # pprr's own SVG, its workbook text escaped
    key = view_key(priority)
    if st.session_state.get(key) not in VIEWS:
        st.session_state[key] = VIEWS[0]
    shown_view = st.session_state[key]
    choice(VIEWS, VIEWS.index(shown_view), key=f"priority_views_{priority.number}", label=f"Views of priority "
           f"{priority.number}", on_choose=lambda index: st.session_state.__setitem__(key, VIEWS[index]))
    if shown_view == "Measures":
        measures_view(shown)
    elif shown_view == "Exceptions":
        exceptions(shown)
    elif shown_view == "Commentary":
        commentary(priority)
    else:
        key_projects(priority)


st.title("Priorities")
st.caption("Highlights and exceptions for each of the portfolio's priorities.")
message = st.session_state.pop(_MESSAGE, None)
if message:
    st.error(markdown_text(message))
narrative = _state.current().narrative
words = st.expander("The agreement in its own words: introduction, vision and outcomes", key="narrative_open",
                    on_change="rerun") if narrative else None
if words is not None and words.open:  # drawn only while open
    with words:
        heading = None
        for paragraph in narrative:
            if paragraph.heading != heading:
                heading = paragraph.heading
                st.markdown(f"**{markdown_text(heading or 'Introduction')}**")
            st.text(paragraph.text)
for part in shown_sections(view().sections):
    priority_section(part)

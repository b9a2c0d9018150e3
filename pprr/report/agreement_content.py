"""What the pack says about the rest of the agreement, as blocks of :mod:`pprr.report.content`.

The portfolio holder's introduction and vision, each priority's key projects and their progress, the projects at
risk or off track in the summary, the measure tables grouped under the agreement's theme headings with their flags,
the benchmarks, the financial risks and the allocated one-off resources, and the keys to project progress, flags
and benchmarks. The sections of :mod:`pprr.report.content` call these, so the PDF and the HTML pack both carry them.

Words, symbols and colours come from :mod:`pprr.rules.agreement` and :mod:`pprr.rules.benchmarks`; the change of
a project's status since the last report from :mod:`pprr.year.projects`. At the Agreement period the pack is the
plan: projects without status, benchmarks without a judgement, no list of projects at risk. All text is plain: the
renderers escape it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Measure, Priority, Project
from ..rules.agreement import (
    ATTENTION,
    NOT_REPORTED,
    PROJECT_ORDER,
    PROJECT_STYLES,
    flag_key,
    group_measures,
    needs_attention,
    progress_line,
    project_badge,
    project_style,
)
from ..rules.benchmarks import COMPARISON_KEY, COMPARISON_SYMBOLS, chosen_set, judge
from ..rules.status import Rating
from ..rules.values import format_number, format_value
from ..year.projects import ProjectChange, project_changes, project_key
from .content import Block, Cell, Heading, Pack, Table, Text, _measures_table, money

Rated = tuple[Measure, Rating]

KEY_PROJECTS = "Progress on key projects"
PLAN_PROJECTS = "Key projects"
FINANCIAL_RISKS = "Key financial risks (£000)"
ONE_OFF = "Allocated one-off resources (£000)"
CELL_COMMENTARY = 400  # characters of project commentary shown in a table cell; longer is printed in full below
ATTENTION_WORDS = " or ".join(a.lower() for a in ATTENTION)  # "at risk or off track"


# ---------------------------------------------------------------------------------------------------------------
# The portfolio holder's words


def narrative(pack: Pack) -> list[Block]:
    """The Narrative sheet: each heading once (Introduction, Vision ...), its paragraphs below it, in workbook
    order."""
    blocks: list[Block] = []
    heading = None
    for paragraph in pack.wb.narrative:
        if paragraph.heading != heading or not blocks:
            heading = paragraph.heading
            number = sum(1 for b in blocks if isinstance(b, Heading)) + 1
            blocks.append(Heading(heading or "Introduction", 1, f"narrative-{number}"))
        if paragraph.text.strip():
            blocks.append(Text(paragraph.text.strip()))
    return blocks


# ---------------------------------------------------------------------------------------------------------------
# Projects


def project_cell(project: Project | str) -> Cell:
    """A project's status as a badge: symbol and word on the colours of the measure status it shares."""
    return Cell(project_badge(project), status=project_style(project).tone)


def _changes(pack: Pack) -> dict[tuple, ProjectChange] | None:
    """Each current project's change since the last report by :func:`project_key`; None without a last report."""
    if pack.options.previous is None or pack.agreement:
        return None
    return {project_key(c.project): c for c in project_changes(pack.options.previous, pack.wb) if c.kind != "removed"}


def change_text(changes: dict[tuple, ProjectChange], project: Project) -> str:
    """``On track → At risk (slipped)``, ``Added`` or ``No change``."""
    change = changes.get(project_key(project))
    if change is None:
        return "No change"
    if change.kind == "added":
        return "Added"
    arrow = f"{change.previous_status or NOT_REPORTED} → {change.current_status or NOT_REPORTED}"
    return f"{arrow} ({change.direction})" if change.direction else arrow


def _project_name(project: Project) -> Cell:
    return Cell(f"{project.project}\n{project.milestone}" if project.milestone else project.project,
                titled=bool(project.milestone), bold=not project.milestone)


def projects_table(pack: Pack, projects: Sequence[Project], caption: str, priority: bool = False) -> Table:
    """One row per project or milestone: name, (priority), lead, due, status, (change), commentary. The plan has
    no status; lead and due appear when any project gives them."""
    plan = pack.agreement
    changes = _changes(pack)
    head, widths = [Cell("Project / milestone")], [42.0]
    if priority:
        head.append(Cell("Priority", True))
        widths.append(16)
    with_lead, with_due = any(p.lead for p in projects), any(p.due for p in projects)
    if with_lead:
        head.append(Cell("Lead"))
        widths.append(26)
    if with_due:
        head.append(Cell("Due"))
        widths.append(20)
    if not plan:
        head.append(Cell("Status"))
        widths.append(24)
    if changes is not None:
        head.append(Cell(f"Change since {pack.previous_period or 'the last report'}"))
        widths.append(26)
    head.append(Cell("Description" if plan else "Commentary"))  # the plan describes; a report comments
    widths.append(0)
    rows = []
    for p in projects:
        row = [_project_name(p)]
        if priority:
            row.append(Cell(str(p.priority), True))
        if with_lead:
            row.append(Cell(p.lead or "—"))
        if with_due:
            row.append(Cell(p.due or "—"))
        if not plan:
            row.append(project_cell(p))
        if changes is not None:
            row.append(Cell(change_text(changes, p)))
        row.append(Cell(short_commentary(p.commentary) or "—"))
        rows.append(tuple(row))
    return Table(caption, tuple(head), tuple(rows), tuple(widths))


def short_commentary(text: str) -> str:
    """A table cell's commentary: whole up to CELL_COMMENTARY characters, else its start and a pointer to the
    full text, which :func:`full_commentary` prints below the table (a row taller than a page cannot be printed)."""
    text = text.strip()
    if len(text) <= CELL_COMMENTARY:
        return text
    return text[:CELL_COMMENTARY].rsplit(" ", 1)[0] + " … (in full below the table)"


def full_commentary(projects: Sequence[Project]) -> list[Block]:
    """The commentary of every project whose cell was shortened, in full, after its table."""
    return [Text(f"{p.label}: {p.commentary.strip()}", "note")
            for p in projects if len(p.commentary.strip()) > CELL_COMMENTARY]


def key_projects(pack: Pack, pr: Priority) -> list[Block]:
    """A priority's "Progress on key projects" (at the Agreement: its key projects): the counts, then the table."""
    projects = [p for p in pack.wb.projects if p.priority == pr.number]
    if not projects:
        return []
    if pack.agreement:
        return [Heading(PLAN_PROJECTS, 2),
                projects_table(pack, projects, f"Key projects of priority {pr.number}"), *full_commentary(projects)]
    return [Heading(KEY_PROJECTS, 2),  # the heading kept with the table: the counts follow it
            projects_table(pack, projects, f"Progress on key projects of priority {pr.number}"),
            *full_commentary(projects), Text(f"{progress_line(projects)}.", "note")]


def projects_needing_attention(pack: Pack) -> list[Block]:
    """For the summary: the projects at risk or off track (off track first), set out as the exceptions are, with
    what changed in the delivery plan since the last report. Nothing at the Agreement or without projects."""
    if pack.agreement or not pack.wb.projects:
        return []
    chosen = {pr.number for pr in pack.priorities}
    projects = [p for p in pack.wb.projects if p.priority in chosen]
    flagged = needs_attention(projects)
    blocks: list[Block] = [Heading(f"Projects {ATTENTION_WORDS} ({len(flagged)})", 1, "summary-projects")]
    if flagged:
        blocks += [projects_table(pack, flagged, f"Projects {ATTENTION_WORDS}", priority=True),
                   *full_commentary(flagged)]
        blocks.append(Text(f"{progress_line(projects)}. Every project is set out under its priority.", "note"))
    else:
        blocks.append(Text(f"No project is {ATTENTION_WORDS}. {progress_line(projects)}."))
    if pack.options.previous is not None:
        changes = [c for c in project_changes(pack.options.previous, pack.wb) if c.project.priority in chosen]
        moved = [c for c in changes if c.kind == "changed"]
        if not changes:
            blocks.append(Text(f"No project's status changed since the {pack.previous_period} report.", "note"))
        else:
            words = [f"{len(moved)} changed status" if moved else "",
                     f"{sum(c.direction == 'improved' for c in moved)} improved" if moved else "",
                     f"{sum(c.direction == 'slipped' for c in moved)} slipped" if moved else "",
                     f"{sum(c.kind == 'added' for c in changes)} added",
                     f"{sum(c.kind == 'removed' for c in changes)} no longer in the plan"]
            shown = ", ".join(w for w in words if w and not w.startswith("0 "))
            blocks.append(Text(f"Since the {pack.previous_period} report: {shown}.", "note"))
            blocks += [Text(c.text, "note") for c in changes if c.kind == "removed"]
    return blocks


# ---------------------------------------------------------------------------------------------------------------
# Measures: themes, flags, benchmarks


def _group_heading(theme: str, measure_type: str, type_heading: str) -> str:
    if theme and measure_type:
        return f"{theme}: {type_heading}"
    return theme or type_heading


def grouped_measure_tables(pack: Pack, rated: list[Rated], pr: Priority) -> list[Block]:
    """The measure tables laid out as the agreement does: one per theme (Attainment, Youth Offending ...) in the
    order the themes first appear, split into Partnership / Contextual measures where the agreement does, each
    under its heading; then the key to the flags the tables use. Without themes or measure types: one table."""
    groups = group_measures(rated, lambda item: item[0])
    caption = f"Measures of priority {pr.number}"
    if not any(g.theme or g.measure_type for g in groups):
        blocks: list[Block] = [_measures_table(pack, rated, caption)]
    else:
        blocks = []
        for g in groups:
            title = _group_heading(g.theme, g.measure_type, g.type_heading)
            blocks += [Heading(title, 3), _measures_table(pack, list(g.items), f"{caption}: {title}")]
    used = flag_key(m for m, _ in rated)
    if used:
        blocks.append(Text("; ".join(f"[{marker}] {meaning}" for marker, meaning in used) + ".", "note",
                           label="Flags:"))
    return blocks


def benchmarks_table(pack: Pack, rated: list[Rated], pr: Priority) -> list[Block]:
    """The comparators of the priority's measures that have any: each set's value and year beside the latest
    actual and, in a report, how the latest compares with the chosen set (judged with the measure's polarity)."""
    with_any = [(m, r) for m, r in rated if m.benchmarks]
    if not with_any:
        return []
    sets = [s for s in pack.wb.comparator_sets if any(m.benchmark(s) for m, _ in with_any)]
    chosen = chosen_set(pack.wb)
    judged = not pack.agreement
    head = [Cell("Measure"), Cell("Latest"), *(Cell(s) for s in sets)]
    if judged:
        head.append(Cell(f"Against {chosen}"))
    rows = []
    for m, r in with_any:
        latest = f"{format_value(r.latest.raw)}\n{r.latest_label or r.latest_year or ''}".strip() if r.latest else "—"
        row = [Cell(f"{m.label}\n{m.name}", titled=True), Cell(latest)]
        for s in sets:
            b = m.benchmark(s)
            row.append(Cell(f"{format_value(b.value.raw)}\n{b.year}".strip() if b else "—"))
        if judged:
            j = judge(m, r.latest.number if r.latest is not None else None, chosen, pack.wb.portfolio.tolerance_pct)
            row.append(Cell(f"{COMPARISON_SYMBOLS[j.comparison]} {j.comparison.value}" if j.comparison else "—"))
        rows.append(tuple(row))
    set_width = max(16.0, min(24.0, 100 / max(len(sets), 1)))
    widths = (0, 22, *(set_width,) * len(sets), *((24,) if judged else ()))
    blocks: list[Block] = [Heading("Benchmarks", 2),
                           Table(f"Benchmarks of priority {pr.number}", tuple(head), tuple(rows), widths)]
    note = "Comparators as the workbook gives them, each with the year it is for."
    if judged:
        note += (f" 'Against {chosen}': the latest actual better, similar or worse than that comparator, judged by "
                 "whether high or low is good (see the key).")
    return blocks + [Text(note, "note")]


def comparator_text(pack: Pack, measure: Measure) -> str:
    """The measure table's comparator: the chosen set's value with its set and year (what a ``Comparator`` target
    is rated against), else the plain Comparator column, else ``—``."""
    b = measure.benchmark(chosen_set(pack.wb))
    if b is not None:
        return f"{format_value(b.value.raw)}\n{b.set} {b.year}".strip()
    return format_number(measure.comparator) if measure.comparator is not None else "—"


def priority_measures(pack: Pack, rated: list[Rated], pr: Priority) -> list[Block]:
    """A priority's measure tables under their theme headings, then its benchmarks."""
    return grouped_measure_tables(pack, rated, pr) + benchmarks_table(pack, rated, pr)


# ---------------------------------------------------------------------------------------------------------------
# Finance


def financial_risks(pack: Pack) -> list[Block]:
    """Key financial risks: risk, division, the amount at risk where known, mitigation; the quantified total."""
    risks = pack.wb.financial_risks
    if not risks:
        return []
    rows = [(Cell(r.risk), Cell(r.division), Cell(money(r.value) if r.value is not None else "—", True),
             Cell(r.mitigation.strip() or "—")) for r in risks]
    known = [r.value for r in risks if r.value is not None]
    totals = frozenset()
    if known:
        rows.append((Cell("Total quantified", bold=True), Cell(), Cell(money(sum(known)), True, True), Cell()))
        totals = frozenset({len(rows) - 1})
    return [Heading(FINANCIAL_RISKS, 1, "finance-risks"),
            Table(FINANCIAL_RISKS, (Cell("Risk"), Cell("Division"), Cell("Value", True), Cell("Mitigation")),
                  tuple(rows), (56, 28, 20, 0), totals),
            Text("Value: the amount at risk where the workbook gives one (— where it gives none).", "note")]


def one_off_resources(pack: Pack) -> list[Block]:
    """Allocated one-off resources: investment, value and purpose, with the total."""
    resources = pack.wb.one_off_resources
    if not resources:
        return []
    rows = [(Cell(o.investment), Cell(money(o.value), True), Cell(o.purpose.strip() or "—")) for o in resources]
    rows.append((Cell("Total", bold=True), Cell(money(sum(o.value or 0 for o in resources)), True, True), Cell()))
    return [Heading(ONE_OFF, 1, "finance-one-off"),
            Table(ONE_OFF, (Cell("Investment"), Cell("Value", True), Cell("Purpose")), tuple(rows), (50, 22, 0),
                  frozenset({len(rows) - 1}))]


def finance_extras(pack: Pack) -> list[Block]:
    return financial_risks(pack) + one_off_resources(pack)


# ---------------------------------------------------------------------------------------------------------------
# Keys


def keys(pack: Pack) -> list[Block]:
    """The keys to project progress, measure flags and benchmarks (each only when the pack uses it)."""
    blocks: list[Block] = []
    if pack.wb.projects and not pack.agreement:
        rows = tuple((project_cell(s), Cell(PROJECT_STYLES[s].meaning)) for s in PROJECT_ORDER)
        blocks += [Heading("Project progress", 1, "key-projects"),
                   Table("Project progress", (Cell("Status"), Cell("Meaning")), rows, (30, 0), row_header=False)]
    flags = flag_key(m for m, _ in pack.rated)
    if flags:
        blocks += [Heading("Measure flags", 1, "key-flags"),
                   Table("Measure flags", (Cell("Flag"), Cell("Meaning")),
                         tuple((Cell(f"[{marker}]", bold=True), Cell(meaning)) for marker, meaning in flags), (24, 0))]
    if pack.wb.comparator_sets:
        blocks += [Heading("Benchmarks", 1, "key-benchmarks"),
                   Table("Benchmarks", (Cell("Term"), Cell("Meaning")),
                         tuple((Cell(name, bold=True), Cell(text)) for name, text in COMPARISON_KEY), (44, 0))]
    return blocks

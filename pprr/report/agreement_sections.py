"""The pack's pages for the rest of the agreement: the portfolio holder's words, progress on key projects, the
benchmarks, theme-grouped measure tables, the financial risks and the allocated one-off resources.

Each function takes the workbook (and what the pack has already worked out) and returns reportlab flowables in the
pack's own look (:mod:`pprr.report.pdf_style`); :mod:`pprr.report.pack` places them. Words, symbols and colours
come from :mod:`pprr.rules.agreement` and :mod:`pprr.rules.benchmarks`; every workbook string is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from reportlab.lib.units import mm

from ..model import Measure, PortfolioWorkbook, Project
from ..rules import finance
from ..rules.agreement import (
    ATTENTION,
    PROJECT_ORDER,
    PROJECT_STYLES,
    flag_key,
    group_measures,
    needs_attention,
    progress_line,
    project_badge,
    project_status,
    project_style,
    projects_of,
)
from ..rules.benchmarks import COMPARISON_KEY, COMPARISON_SYMBOLS, chosen_set, judge
from ..rules.status import Rating
from ..year.projects import project_key
from .pdf_style import CONTENT_W, Plain, esc, grid, markup, para, paras, subheading

Rated = tuple[Measure, Rating]

KEY_PROJECTS = "Progress on key projects"
FINANCIAL_RISKS = "Key financial risks (£000)"
ONE_OFF = "Allocated one-off resources (£000)"


def _cell(text: object, style: str = "cell") -> Plain:
    return Plain(("" if text is None else text, style))


def _head(*names: str, right_from: int = 99) -> list:
    return [Plain((n, "cell_head_right" if i >= right_from else "cell_head")) for i, n in enumerate(names)]


def _money(x: float | None, bold: bool = False) -> Plain:
    return Plain((finance.format_money(x), "cell_right_bold" if bold else "cell_right"))


def _project_badge(project: Project) -> Plain:
    return Plain((project_badge(project), "badge"))


# --- narrative --------------------------------------------------------------------------------------------------


def narrative(wb: PortfolioWorkbook) -> list:
    """The Narrative sheet: each heading once, its paragraphs below it, in workbook order."""
    story, heading = [], None
    for p in wb.narrative:
        if p.heading != heading:
            heading = p.heading
            story += subheading(heading or "Introduction")
        story += [para(line) for line in p.text.split("\n") if line.strip()]
    return story


# --- projects ---------------------------------------------------------------------------------------------------


def _change_text(changes: dict | None, project: Project) -> str:
    if not changes:
        return ""
    change = changes.get(project_key(project))
    return "" if change is None else change.text.split(": ", 1)[-1]


def projects_table(projects: Sequence[Project], changes: dict | None = None) -> list:
    """Project (and milestone), lead, due, status: one row each, the status filled with its colour."""
    with_change = bool(changes)
    names = ("Project / milestone", "Lead", "Due", "Status") + (("Since last report",) if with_change else ())
    rows = [_head(*names)]
    fills = {}
    for p in projects:
        name = Plain((p.project, "cell_bold"), *([(p.milestone, "cell")] if p.milestone else []))
        row = [name, _cell(p.lead or "—"), _cell(p.due or "—"), _project_badge(p)]
        if with_change:
            row.append(_cell(_change_text(changes, p)))
        rows.append(row)
        fills[(3, len(rows) - 1)] = project_style(p).colour
    fixed = [32 * mm, 22 * mm, 24 * mm] + ([30 * mm] if with_change else [])  # lead, due, status[, change]
    widths = [CONTENT_W - sum(fixed), *fixed]
    return [grid(rows, widths, fills=fills)]


def key_projects(wb: PortfolioWorkbook, priority: int, changes: dict | None = None) -> list:
    """'Progress on key projects' for one priority: counts, the table, then each project's commentary."""
    projects = projects_of(wb, priority)
    if not projects:
        return []
    story = [*subheading(KEY_PROJECTS), para(progress_line(projects), "note"), *projects_table(projects, changes)]
    for p in (p for p in projects if p.commentary.strip()):
        story += [markup(f"{esc(p.label, 600)} · {esc(project_badge(p))}", "h3"), *paras(p.commentary)]
    return story


def projects_needing_attention(wb: PortfolioWorkbook, priorities: Iterable[int] | None = None) -> list:
    """For the summary: the projects at risk or off track, as the exceptions list the Red measures."""
    if not wb.projects:
        return []
    chosen = None if priorities is None else set(priorities)
    projects = [p for p in wb.projects if chosen is None or p.priority in chosen]
    flagged = needs_attention(projects)
    story = subheading(f"Projects {' or '.join(a.lower() for a in ATTENTION)} ({len(flagged)})")
    if not flagged:
        return [*story, para(f"No project is {' or '.join(a.lower() for a in ATTENTION)}.")]
    story += projects_table(flagged)
    for p in flagged:
        line = f"Priority {p.priority} · {project_status(p)}" + (f" · {p.lead}" if p.lead else "")
        story += [markup(esc(p.label, 600), "h3"), para(line, "note"), *paras(p.commentary)]
    return story


# --- measures: themes, flags, benchmarks ------------------------------------------------------------------------


def grouped_measure_tables(rated: Sequence[Rated], table: Callable[[list[Rated]], list]) -> list:
    """The measure tables laid out as the agreement does: a heading per theme (Attainment, Youth Offending ...)
    in the order the themes first appear, then Partnership / Contextual measures within it; ``table`` draws one
    group. Without themes or measure types this is ``table(rated)``."""
    groups = group_measures(rated, lambda item: item[0])
    if not any(g.theme or g.measure_type for g in groups):
        return table(list(rated))
    story = []
    for i, group in enumerate(groups):
        if group.theme and (i == 0 or groups[i - 1].theme != group.theme):
            story.append(para(group.theme, "h3"))
        story += [para(group.type_heading, "note"), *table(list(group.items))]
    return story


def benchmarks_table(wb: PortfolioWorkbook, rated: Sequence[Rated]) -> list:
    """The comparators of the measures that have any: each set's value and year beside the latest actual, and how
    the latest compares with the chosen set (judged with the measure's polarity)."""
    sets = wb.comparator_sets
    with_any = [(m, r) for m, r in rated if m.benchmarks]
    if not sets or not with_any:
        return []
    chosen = chosen_set(wb)
    rows = [_head("Measure", "Latest", *sets, f"vs {chosen}")]
    for m, r in with_any:
        latest = r.latest.number if r.latest is not None else None
        cells = [Plain((m.label, "cell_bold")),
                 Plain((r.latest.raw, "cell"), (r.latest_year or "", "cell_small")) if r.latest else _cell("—")]
        for s in sets:
            b = m.benchmark(s)
            cells.append(Plain((b.value.raw, "cell"), (b.year, "cell_small")) if b else _cell(""))
        j = judge(m, latest, chosen, wb.portfolio.tolerance_pct)
        cells.append(_cell(f"{COMPARISON_SYMBOLS[j.comparison]} {j.comparison.value}" if j.comparison else "—"))
        rows.append(cells)
    n = len(sets)
    set_w = max(15 * mm, min(24 * mm, (CONTENT_W - 80 * mm) / max(n, 1)))
    widths = [30 * mm, 22 * mm] + [set_w] * n + [22 * mm]
    widths[0] += max(0.0, CONTENT_W - sum(widths))
    return [*subheading("Benchmarks"), grid(rows, widths),
            para(f"Comparators as the workbook gives them, with their year. 'vs {chosen}': the latest actual "
                 "against that comparator, judged by whether high or low is good.", "note")]


def flags_key(wb: PortfolioWorkbook) -> list:
    """The key to the flag markers used in the measure tables (only those used)."""
    entries = flag_key(wb.measures)
    if not entries:
        return []
    rows = [[_cell(marker, "cell_bold"), _cell(meaning)] for marker, meaning in entries]
    return [*subheading("Measure flags"), grid(rows, [20 * mm, CONTENT_W - 20 * mm], head_rows=0)]


def comparison_key(wb: PortfolioWorkbook) -> list:
    if not wb.comparator_sets:
        return []
    rows = [[_cell(name, "cell_bold"), _cell(text)] for name, text in COMPARISON_KEY]
    return [*subheading("Benchmarks"), grid(rows, [40 * mm, CONTENT_W - 40 * mm], head_rows=0)]


def project_key_table(wb: PortfolioWorkbook) -> list:
    if not wb.projects:
        return []
    rows = [[Plain((f"{PROJECT_STYLES[s].symbol} {PROJECT_STYLES[s].label}", "badge")),
             _cell(PROJECT_STYLES[s].meaning)] for s in PROJECT_ORDER]
    fills = {(0, i): PROJECT_STYLES[s].colour for i, s in enumerate(PROJECT_ORDER)}
    return [*subheading("Project progress"), grid(rows, [26 * mm, CONTENT_W - 26 * mm], head_rows=0, fills=fills)]


# --- finance ----------------------------------------------------------------------------------------------------


def financial_risks(wb: PortfolioWorkbook) -> list:
    """Key financial risks by division, with the amount at risk where known and the mitigation."""
    if not wb.financial_risks:
        return []
    rows = [_head("Division", "Risk", "Value", right_from=2)]
    for r in wb.financial_risks:
        rows.append([_cell(r.division), _cell(r.risk), _money(r.value) if r.value is not None else _cell("")])
    known = [r.value for r in wb.financial_risks if r.value is not None]
    bold = ()
    if known:
        rows.append([_cell("Total quantified", "cell_bold"), _cell(""), _money(sum(known), bold=True)])
        bold = (len(rows) - 1,)
    story = [*subheading(FINANCIAL_RISKS, "finance-risks"),
             grid(rows, [36 * mm, CONTENT_W - 58 * mm, 22 * mm], bold_rows=bold)]
    for r in (r for r in wb.financial_risks if r.mitigation.strip()):
        story += [markup(f"<b>{esc(r.risk, 300)}</b>", "note"), *paras(f"Mitigation: {r.mitigation}", "note")]
    return story


def one_off_resources(wb: PortfolioWorkbook) -> list:
    """Allocated one-off resources: investment, value and purpose, with the total."""
    if not wb.one_off_resources:
        return []
    rows = [_head("Investment", "Value", "Purpose", right_from=1)]
    rows[0][2] = Plain(("Purpose", "cell_head"))
    for o in wb.one_off_resources:
        rows.append([_cell(o.investment, "cell_bold"), _money(o.value), _cell(o.purpose)])
    rows.append([_cell("Total", "cell_bold"), _money(sum(o.value or 0 for o in wb.one_off_resources), bold=True),
                 _cell("")])
    return [*subheading(ONE_OFF, "finance-one-off"),
            grid(rows, [45 * mm, 20 * mm, CONTENT_W - 65 * mm], bold_rows=(len(rows) - 1,))]

"""The rest of the agreement, written down once: measure flags and their key, the theme and measure-type grouping
of the measure tables, and the words, symbols and colours of a project's progress.

The app, the PDF pack and the command line take these from here, as they take measure statuses from
:mod:`pprr.rules.status`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..model import Measure, PortfolioWorkbook, Project
from ..schema import MEASURE_TYPES, PROJECT_STATUSES
from .status import STATUS_STYLES, Status

T = TypeVar("T")

# --- flags ------------------------------------------------------------------------------------------------------

# (Measure attribute, marker, meaning): the agreement marks corporate measures in bold, GMS indicators by name and
# new measures with "New measure"; pprr shows each as a small marker, with this key beside it.
FLAGS: tuple[tuple[str, str, str], ...] = (
    ("corporate", "C", "Included in the Corporate Report and Performance Dashboard"),
    ("gms", "GMS", "Indicator in the Greater Manchester Strategy Outcomes Dashboard"),
    ("new", "New", "A new measure this year"),
)


def measure_flags(measure: Measure) -> tuple[str, ...]:
    """The markers of ``measure``'s flags, in key order: ``("GMS", "New")``."""
    return tuple(marker for attr, marker, _ in FLAGS if getattr(measure, attr, False))


def flags_text(measure: Measure) -> str:
    """``GMS · New`` or ``""``."""
    return " · ".join(measure_flags(measure))


def flag_marks(measure: Measure) -> str:
    """`` [GMS · New]`` after a measure's code in a table, or ``""``."""
    text = flags_text(measure)
    return f" [{text}]" if text else ""


def flag_key(measures: Iterable[Measure] | None = None) -> list[tuple[str, str]]:
    """(marker, meaning) for every flag, or only those used by ``measures``."""
    if measures is None:
        return [(marker, meaning) for _, marker, meaning in FLAGS]
    used = {marker for m in measures for marker in measure_flags(m)}
    return [(marker, meaning) for _, marker, meaning in FLAGS if marker in used]


# --- grouping ---------------------------------------------------------------------------------------------------

TYPE_HEADINGS = {t: f"{t} measures" for t in MEASURE_TYPES}


@dataclass(frozen=True)
class MeasureGroup:
    """Measures under one theme sub-heading and one measure type, in agreement order."""

    theme: str  # "" when the measures have no theme
    measure_type: str  # Council / Partnership / Contextual, or "" when not given
    items: tuple

    @property
    def type_heading(self) -> str:
        return TYPE_HEADINGS.get(self.measure_type, "Other measures" if not self.measure_type else
                                 f"{self.measure_type} measures")


def group_by_theme(items: Iterable[T], measure_of: Callable[[T], Measure] = lambda x: x) -> list[tuple[str, list[T]]]:
    """(theme, items) in the order each theme first appears; items keep their order within a theme."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(measure_of(item).theme, []).append(item)
    return list(groups.items())


def group_measures(items: Iterable[T], measure_of: Callable[[T], Measure] = lambda x: x) -> list[MeasureGroup]:
    """The agreement's layout of a measure table: by theme (first appearance), then by measure type (first
    appearance within the theme: Partnership measures, Contextual measures ...)."""
    out = []
    for theme, in_theme in group_by_theme(items, measure_of):
        by_type: dict[str, list[T]] = {}
        for item in in_theme:
            by_type.setdefault(measure_of(item).measure_type, []).append(item)
        out += [MeasureGroup(theme, kind, tuple(group)) for kind, group in by_type.items()]
    return out


def themes(wb: PortfolioWorkbook) -> tuple[str, ...]:
    """The workbook's themes in agreement order (blank left out)."""
    return tuple(t for t in dict.fromkeys(m.theme for m in wb.measures) if t)


# --- projects ---------------------------------------------------------------------------------------------------

NOT_REPORTED = "Not reported"
ATTENTION = ("At risk", "Off track")  # listed in the summary, as exceptions are


@dataclass(frozen=True)
class ProjectStyle:
    label: str
    symbol: str
    colour: str  # strong colour (PDF fill with white text)
    fill: str  # light background
    text: str  # text colour on ``fill``
    meaning: str
    tone: Status = Status.NO_DATA  # the measure status whose colours it shares (the pack's badge fill)


def _style(status: Status, label: str, symbol: str, meaning: str) -> ProjectStyle:
    s = STATUS_STYLES[status]
    return ProjectStyle(label, symbol, s.colour, s.fill, s.text, meaning, status)


PROJECT_STYLES: dict[str, ProjectStyle] = {
    "Complete": _style(Status.GREEN, "Complete", "✓", "Delivered."),
    "On track": _style(Status.GREEN, "On track", "→", "Progressing to plan."),
    "At risk": _style(Status.AMBER, "At risk", "!", "Progressing, but the plan or date may slip."),
    "Off track": _style(Status.RED, "Off track", "✗", "Will not be delivered as planned without action."),
    "Not started": _style(Status.NO_DATA, "Not started", "○", "Not yet started."),
    NOT_REPORTED: _style(Status.NO_DATA, NOT_REPORTED, "?", "No progress reported yet."),
}
PROJECT_ORDER: tuple[str, ...] = (*PROJECT_STATUSES, NOT_REPORTED)


def project_status(project: Project) -> str:
    """The project's status as shown: its own, or Not reported when blank (an unknown word is kept as written)."""
    return project.status or NOT_REPORTED


def project_style(project_or_status: Project | str) -> ProjectStyle:
    status = project_status(project_or_status) if isinstance(project_or_status, Project) else project_or_status
    return PROJECT_STYLES.get(status or NOT_REPORTED, PROJECT_STYLES[NOT_REPORTED])


def project_badge(project_or_status: Project | str) -> str:
    """``! At risk``: symbol and word."""
    status = project_status(project_or_status) if isinstance(project_or_status, Project) else project_or_status
    style = PROJECT_STYLES.get(status or NOT_REPORTED)
    return f"{style.symbol} {style.label}" if style else (status or NOT_REPORTED)


def projects_of(wb: PortfolioWorkbook, priority: int) -> tuple[Project, ...]:
    return tuple(p for p in wb.projects if p.priority == priority)


def needs_attention(projects: Iterable[Project]) -> tuple[Project, ...]:
    """Projects at risk or off track, off track first, in workbook order within each."""
    projects = tuple(projects)
    return tuple(p for status in reversed(ATTENTION) for p in projects if p.status == status)


def count_projects(projects: Iterable[Project]) -> dict[str, int]:
    """Counts for every project status, in display order, zeros included (unknown words count as Not reported)."""
    counts = dict.fromkeys(PROJECT_ORDER, 0)
    for p in projects:
        status = project_status(p)
        counts[status if status in counts else NOT_REPORTED] += 1
    return counts


def progress_line(projects: Iterable[Project]) -> str:
    """``5 projects: On track 3 · At risk 1 · Not reported 1`` (only the statuses present)."""
    projects = tuple(projects)
    counts = {k: v for k, v in count_projects(projects).items() if v}
    noun = "project" if len(projects) == 1 else "projects"
    return f"{len(projects)} {noun}: " + " · ".join(f"{k} {v}" for k, v in counts.items()) if projects else ""

"""Projects in the reporting year: what changed in the delivery plan since the last report.

:func:`project_changes` compares the Projects sheet of the last report's workbook with the current one. A project
(or milestone) is the same one when its priority, project name and milestone match, ignoring capitals and spaces,
so a re-ordered or re-numbered sheet still lines up. Pure: the store, the movement section and the pack decide how
to show the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import PortfolioWorkbook, Project
from ..rules.agreement import NOT_REPORTED

# Better progress ranks higher; a change between two ranked statuses is an improvement or a slip.
_RANK = {"Off track": 0, "At risk": 1, "Not started": 2, "On track": 3, "Complete": 4}


@dataclass(frozen=True)
class ProjectChange:
    """One project whose status moved since the last report, or that was added or dropped."""

    kind: str  # "changed", "added" or "removed"
    project: Project  # the current record ("removed": the previous one)
    previous_status: str  # "" when added
    current_status: str  # "" when removed

    @property
    def direction(self) -> str:
        """``improved``, ``slipped`` or ``""`` (added, removed, or a move to or from no status)."""
        before, after = _RANK.get(self.previous_status), _RANK.get(self.current_status)
        if self.kind != "changed" or before is None or after is None or before == after:
            return ""
        return "improved" if after > before else "slipped"

    @property
    def text(self) -> str:
        """``Early Years provision: On track → At risk`` and the like, for lists and tables."""
        label = self.project.label
        if self.kind == "added":
            return f"{label}: added since the last report ({self.current_status or NOT_REPORTED})"
        if self.kind == "removed":
            return f"{label}: no longer in the delivery plan (was {self.previous_status or NOT_REPORTED})"
        return f"{label}: {self.previous_status or NOT_REPORTED} → {self.current_status or NOT_REPORTED}"


def project_key(project: Project) -> tuple[int, str, str]:
    def fold(text: str) -> str:
        return " ".join(text.split()).casefold()

    return (project.priority, fold(project.project), fold(project.milestone))


def project_changes(previous_wb: PortfolioWorkbook, current_wb: PortfolioWorkbook) -> tuple[ProjectChange, ...]:
    """Status changes since the last report, in the current workbook's order, then the projects dropped.

    Unchanged projects are left out. A project listed twice under the same key is matched in order.
    """
    before: dict[tuple, list[Project]] = {}
    for p in previous_wb.projects:
        before.setdefault(project_key(p), []).append(p)
    out = []
    for p in current_wb.projects:
        earlier = before.get(project_key(p))
        if not earlier:
            out.append(ProjectChange("added", p, "", p.status))
            continue
        old = earlier.pop(0)
        if old.status != p.status:
            out.append(ProjectChange("changed", p, old.status, p.status))
    for left in before.values():
        out += [ProjectChange("removed", p, p.status, "") for p in left]
    return tuple(out)


def status_changes(previous_wb: PortfolioWorkbook, current_wb: PortfolioWorkbook) -> dict[tuple, ProjectChange]:
    """The ``changed`` and ``added`` entries of :func:`project_changes` by :func:`project_key`, so a screen or
    table can show each project's change beside it."""
    return {project_key(c.project): c for c in project_changes(previous_wb, current_wb) if c.kind != "removed"}

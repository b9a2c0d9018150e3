"""The sidebar's account of the work open: the workbook, its edits, whether they are saved, a scenario.

Drawn as one HTML element on every page, rather than seven captions, texts and alerts: each Streamlit element
costs the browser time on every page change (about 2 ms each, measured in Chromium's CPU time). Every value is
escaped (:func:`pprr.safe_text.html_text`): a file's name is shown as typed, never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from pprr.safe_text import html_text

CLASS = "pprr-status"
# The app's own rules for the box (no user text): notes in the colours of Streamlit's own alerts, text at least
# 4.5:1 on its background (WCAG 2.1 AA).
STYLE = f"""
.{CLASS} p {{ margin: 0 0 0.4rem 0; font-size: 0.875rem; line-height: 1.45; color: #262730;
    overflow-wrap: anywhere; }}
.{CLASS} .label {{ color: #4D535B; margin-bottom: 0.1rem; }}
.{CLASS} .file {{ font-family: "Source Code Pro", monospace; }}
.{CLASS} .edits {{ font-size: 1rem; font-weight: 600; margin-bottom: 0.1rem; }}
.{CLASS} .note {{ padding: 0.55rem 0.75rem; border-radius: 0.5rem; margin: 0.5rem 0; }}
.{CLASS} .warn {{ background: #FFF6D1; color: #5C4500; }}
.{CLASS} .info {{ background: #E3EEFB; color: #0B3D75; }}
"""


@dataclass(frozen=True)
class Status:
    filename: str
    illustrative: bool
    headline: str  # "No edits yet", "2 edits"
    where: str  # where the edits are kept, "" when there are none
    not_saved: str | None  # why the latest changes are not in the store, None when they are
    scenario_targets: int


def status_html(s: Status) -> str:
    parts = ['<p class="label">Workbook open</p>', f'<p class="file">{html_text(s.filename)}</p>']
    if s.illustrative:
        parts.append('<p class="note warn">ILLUSTRATIVE FIGURES: not the council\'s reported data.</p>')
    parts.append(f'<p class="edits">{html_text(s.headline)}</p>')
    if s.where:
        parts.append(f'<p class="label">{html_text(s.where[:1].upper() + s.where[1:])}</p>')
    if s.not_saved is not None:
        parts.append(f'<p class="note warn">Not saved: {html_text(s.not_saved)}</p>')
    if s.scenario_targets:
        count = s.scenario_targets
        parts.append(f'<p class="note info">Scenario active: {count} what-if target{"" if count == 1 else "s"}, '
                     "kept apart from the official ones.</p>")
    return f'<div class="{CLASS}"">{"".join(parts)}</div>'

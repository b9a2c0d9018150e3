"""Short read-only tables drawn as one HTML table: the change log, the budget totals, the variances explained.

``st.dataframe`` draws a canvas grid. It is worth it for a long table an officer sorts and searches (a priority's
measures), but each one costs the browser about 30 ms to draw on every visit to its page (measured in Chromium's
CPU time), and it cuts long text short. A plain table wraps its text, is read by screen readers as a table, and
costs the browser one element. Every value is escaped (:func:`pprr.safe_text.html_text`): workbook and officer
text is shown as typed, never read as markup.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pprr.safe_text import html_text

CLASS = "pprr-table"
# The app's own rules for these tables (no user text): a scrolling box with the header row kept in view, money
# right-aligned, colours at least 4.5:1 (WCAG 2.1 AA).
STYLE = f"""
.{CLASS} {{ overflow: auto; border: 1px solid #D5D8DE; border-radius: 0.5rem; margin-bottom: 0.5rem; }}
.{CLASS}.long {{ max-height: 36rem; }}
.{CLASS} table {{ border-collapse: collapse; width: 100%; font-size: 0.875rem; line-height: 1.4; }}
.{CLASS} th {{ position: sticky; top: 0; z-index: 1; background: #F0F2F6; color: #262730; text-align: left;
    font-weight: 600; }}
.{CLASS} th, .{CLASS} td {{ padding: 0.35rem 0.65rem; border-bottom: 1px solid #E6E9EF; vertical-align: top;
    color: #262730; }}
.{CLASS} tr:last-child td {{ border-bottom: none; }}
.{CLASS} .num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
.{CLASS} .whole {{ white-space: nowrap; }}
.{CLASS} .wide {{ min-width: 16rem; }}
"""


def table(frame: pd.DataFrame, label: str, numeric: Iterable[str] = (), wide: Iterable[str] = (),
          whole: Iterable[str] = (), long: bool = False) -> str:
    """``frame`` as an HTML table, in a box that scrolls sideways in a narrow window (and so can be reached with
    Tab to scroll it with the keyboard).

    ``label`` names the box and the table for screen readers; ``numeric`` columns are right-aligned; ``wide``
    columns (long text) get room to wrap; ``whole`` columns (a status, a time) are never broken across lines;
    ``long``: a table that can grow long keeps its height to about fifteen rows and scrolls, its header in view."""
    wanted = {"num": set(numeric), "wide": set(wide), "whole": set(whole)}

    def classes(column: object) -> str:
        names = [name for name, columns in wanted.items() if column in columns]
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f'<th scope="col"{classes(c)}>{html_text(c)}</th>' for c in frame.columns)
    cells = [classes(c) for c in frame.columns]
    body = "".join(
        "<tr>" + "".join(f"<td{cls}>{_text(value)}</td>" for cls, value in zip(cells, row)) + "</tr>"
        for row in frame.itertuples(index=False, name=None))
    name = html_text(label)
    box = f"{CLASS} long" if long else CLASS
    return (f'<div class="{box}" role="region" aria-label="{name}" tabindex="0"><table aria-label="{name}">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html_text(value).replace("\n", "<br>")

"""axe-core in the browser suite: WCAG 2.1 A and AA rules run on a page's main document.

axe.min.js comes from the ``axe-playwright-python`` package (a test dependency installed from PyPI by
``make test``); nothing is fetched at run time. Only its script file is used, injected into the page under test.
"""

from __future__ import annotations

import functools
from importlib import resources

from playwright.sync_api import Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WITH_BEST_PRACTICE = [*TAGS, "best-practice"]  # the HTML pack, a document to publish, is held to these too
SETTLE_MS = 600  # long enough for a tooltip or an opening box to finish fading in


@functools.cache
def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def run_axe(page: Page, include: str | list[str] | None = None, tags: list[str] | None = None) -> list[dict]:
    """The violations of axe-core's rules tagged ``tags`` (default: WCAG 2.1 A and AA) in ``page``'s main document
    (frames are not entered), or within the CSS selector(s) ``include``. Each violation: ``{"id", "impact", "help",
    "nodes": [html, ...]}``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = _axe(page, include, tags)
    if found:  # a tooltip fading in under the pointer is rated at a passing opacity: judge the settled page
        page.wait_for_timeout(SETTLE_MS)
        found = _axe(page, include, tags)
    return found


def _axe(page: Page, include: str | list[str] | None, tags: list[str] | None) -> list[dict]:
    context: dict = {"exclude": [["iframe"]]}
    if include:
        context["include"] = [[s] for s in ([include] if isinstance(include, str) else include)]
    return page.evaluate(
        """async ([context, tags]) => {
            const found = await window.axe.run(context, {runOnly: {type: 'tag', values: tags}, iframes: false});
            return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.map(n => n.html.slice(0, 300))}));
        }""",
        [context, tags or TAGS],
    )


def describe(violations: list[dict]) -> str:
    """One line per violation and up to three of its elements, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}: " + " | ".join(v["nodes"][:3]) for v in violations)

"""axe-core in the browser: ``run_axe(page)`` returns the accessibility violations on the page now shown.

The engine is the ``axe.min.js`` shipped inside the pinned PyPI package ``axe-playwright-python`` (a test
dependency in pyproject.toml), injected into the page as a script; nothing is fetched at test time. The rules run
are WCAG 2.0/2.1 A and AA plus axe's best practices.
"""

from __future__ import annotations

import functools
from pathlib import Path

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@functools.cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page, context: object = None, tags: list[str] | None = None) -> list[dict]:
    """Every violation axe finds on ``page`` (or within ``context``, a CSS selector), as axe reports them."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        """([context, tags]) => axe.run(context || document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, tags or TAGS],
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """The violations in a few readable lines, for an assertion message."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return "\n".join(lines)

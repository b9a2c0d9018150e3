"""The package's layers: every import points down, nothing in pprr imports streamlit or the app shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PPRR = ROOT / "pprr"

# Lowest floor first: a module may import its own floor or any floor below it, never one above.
FLOORS = (
    ("pprr.model", "pprr.schema", "pprr.safe_text"),
    ("pprr.rules",),
    ("pprr.year",),
    ("pprr.workbook",),
    ("pprr.report",),
    ("pprr.cli",),
)


def floor_of(module: str) -> int | None:
    if module == "pprr":  # the package's front door re-exports load_workbook: it stands at the top
        return len(FLOORS) - 1
    for number, names in enumerate(FLOORS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return number
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved, including imports inside functions."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            if node.module:  # "from .. import schema" imports pprr.schema, not the package's front door
                found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


MODULES = sorted(p for p in PPRR.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    own = floor_of(module_name(path))
    assert own is not None, f"{path.relative_to(ROOT)} is on no floor: add its folder to FLOORS"
    upward = sorted(m for m in imported_modules(path) if (floor_of(m) or 0) > own)
    assert not upward, f"{module_name(path)} imports from a higher floor: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_never_imports_the_app(path):
    bad = sorted(m for m in imported_modules(path) if m.split(".")[0] in ("streamlit", "st_aggrid", "app", "pages"))
    assert not bad, f"{module_name(path)} imports the app or streamlit: {bad}"


def test_floor_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The check itself can fail: a rules module importing the report floor is reported."""
    fake = PPRR / "rules" / "status.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: "from ..report import pack\n")
    assert "pprr.report" in imported_modules(fake)
    assert floor_of("pprr.report.pack") > floor_of(module_name(fake))


def test_pages_folder_holds_only_pages():
    """Streamlit lists every script in pages/: helpers live in app/, so the sidebar never shows them."""
    assert not [p.name for p in (ROOT / "pages").glob("_*.py") if p.name != "__init__.py"]

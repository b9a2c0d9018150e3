"""Time every step a user waits for, at the sample's size and at 1,000 and 10,000 measures, and print one table.

Run from the repository root: ``python -m bench.run`` (options: ``--sizes sample,1000,10000 --repeat 5
--skip-pack``). Each step is run once to warm up, then timed ``--repeat`` times (the median is shown); its peak
memory is measured with tracemalloc in one further run so that tracing does not slow the timed runs. A step
whose module is not there yet shows "n/a (module missing)".
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import signal
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bench.generate import COUNCIL, generate_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"
CACHE = Path(__file__).resolve().parent / ".cache"
APP = ROOT / "streamlit_app.py"
MEASURES_PAGE = "pages/measures.py"
FINANCE_PAGE = "pages/finance.py"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLOOR = "floor: calamine"
DEFAULT_SIZES = "sample,1000,10000"


class Unavailable(Exception):
    """A step that cannot run yet (a module not written, no app); the message is shown in the table."""


@dataclass
class Case:
    """One workbook to time the steps on, with what the later steps need, built once on first use."""

    name: str
    data: bytes

    @cached_property
    def workbook(self):
        pprr = _need("pprr")
        wb = pprr.load_workbook(self.data)
        if not wb.ok:
            raise Unavailable(f"workbook has errors: {wb.errors[0]}")
        return wb

    @cached_property
    def settings(self):
        return _need("pprr.rules.status").settings_for(self.workbook)

    @cached_property
    def edit(self):
        """One in-year actual changed, in the middle of the Measures sheet: what an officer does most."""
        edits, schema = _need("pprr.year.edits"), _need("pprr.schema")
        wb = self.workbook
        measure = wb.measures[len(wb.measures) // 2]
        field = edits.in_year_actual(wb)
        current = next((v for year, v in measure.actuals if schema.actual_header(year) == field), None)
        text = "55.5%" if current is not None and current.percent else "55.5"
        return edits.make_edit(wb, "Measures", measure.row, field, text)


@dataclass
class Result:
    step: str
    size: str
    ms: float | None = None
    peak_mb: float | None = None
    runs: int = 0
    note: str = ""
    ratio: float | None = None
    growth: float | None = None


@dataclass
class Step:
    name: str
    prepare: Callable[[Case], Callable[[], object]]  # setup (not timed) -> the work to time
    floor_ratio: bool = False  # show the ratio to the calamine floor
    tags: set[str] = field(default_factory=set)


def _need(module: str):
    """Import ``module``; a missing pprr or app module makes the step unavailable rather than the run fail."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise Unavailable(f"n/a (module missing: {exc.name})") from None


# ---- the floors: reading every sheet's values, nothing more --------------------------------------------------

def _floor_calamine(case: Case) -> Callable[[], object]:
    from python_calamine import CalamineWorkbook

    def run():
        book = CalamineWorkbook.from_filelike(io.BytesIO(case.data))
        return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
    return run


def _floor_openpyxl(case: Case) -> Callable[[], object]:
    import openpyxl

    def run():
        book = openpyxl.load_workbook(io.BytesIO(case.data), read_only=True, data_only=True)
        try:
            return [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
        finally:
            book.close()
    return run


def _floor_pandas(engine: str) -> Callable[[Case], Callable[[], object]]:
    def prepare(case: Case) -> Callable[[], object]:
        import pandas as pd

        return lambda: pd.read_excel(io.BytesIO(case.data), sheet_name=None, engine=engine)
    return prepare


# ---- pprr -----------------------------------------------------------------------------------------------------

def _load_and_rate(case: Case) -> Callable[[], object]:
    pprr = _need("pprr")
    status = _need("pprr.rules.status")

    def run():
        wb = pprr.load_workbook(case.data)
        return status.rate_measures(wb.measures, status.settings_for(wb))
    return run


def _rerate(case: Case) -> Callable[[], object]:
    """Re-rating after one edited cell, as the app's working copy does it (``app/state.py``): the edit is
    checked, applied to the workbook as loaded, and only the measures it rebuilt are rated again."""
    edits = _need("pprr.year.edits")
    status = _need("pprr.rules.status")
    wb, edit, settings = case.workbook, case.edit, case.settings
    ratings = status.rate_measures(wb.measures, settings)

    def run():
        fresh = edits.make_edit(wb, edit.sheet, edit.row, edit.field, edit.new)
        return status.rerate(wb, ratings, edits.apply_edits(wb, [fresh]), settings)
    return run


def _pack(case: Case) -> Callable[[], object]:
    pack = _need("pprr.report.pack")
    wb = case.workbook
    return lambda: pack.build_pack(wb)


def _write(case: Case) -> Callable[[], object]:
    writer = _need("pprr.workbook.writer")
    wb, edit = case.workbook, case.edit
    return lambda: writer.write_edited_workbook(case.data, wb, [edit])


# ---- the app: one rerun of a page, server side ----------------------------------------------------------------

def _check(at) -> None:
    if at.exception:
        raise RuntimeError(f"app error: {at.exception[0].message.splitlines()[0]}")


def _open_in_app(at, case: Case) -> None:
    """Open the app on ``case`` as an officer would: the sample is the default, anything else is uploaded."""
    at.run()
    _check(at)
    if case.name == "sample":
        return
    if not at.file_uploader:
        raise Unavailable("n/a (no uploader on the landing page)")
    at.file_uploader[0].set_value((f"bench-{case.name}.xlsx", case.data, XLSX_MIME)).run()
    _check(at)
    shown = [e.value for kind in ("text", "markdown", "subheader", "caption") for e in getattr(at, kind)]
    if not any(COUNCIL in str(value) for value in shown):
        raise Unavailable("n/a (the uploaded workbook did not open in the app)")


def _app_page(page: str) -> Callable[[Case], Callable[[], object]]:
    def prepare(case: Case) -> Callable[[], object]:
        if not APP.exists() or not (ROOT / page).exists():
            raise Unavailable(f"n/a (module missing: {APP.name if not APP.exists() else page})")
        testing = _need("streamlit.testing.v1")
        _need("streamlit.logger").set_log_level("error")
        at = testing.AppTest.from_file(str(APP), default_timeout=600)
        _open_in_app(at, case)

        def run():
            at.switch_page(page).run()
            _check(at)
            return at
        return run
    return prepare


STEPS = (
    Step(FLOOR, _floor_calamine, floor_ratio=True),
    Step("floor: openpyxl read-only", _floor_openpyxl, floor_ratio=True),
    Step("floor: pandas (openpyxl)", _floor_pandas("openpyxl"), floor_ratio=True),
    Step("floor: pandas (calamine)", _floor_pandas("calamine"), floor_ratio=True),
    Step("load_workbook + rate", _load_and_rate, floor_ratio=True),
    Step("re-rate after one edit", _rerate),
    Step("PDF pack", _pack, tags={"pack"}),
    Step("write edited workbook", _write),
    Step("app rerun: Measures", _app_page(MEASURES_PAGE), tags={"app"}),
    Step("app rerun: Finance", _app_page(FINANCE_PAGE), tags={"app"}),
)


# ---- timing ---------------------------------------------------------------------------------------------------

def time_call(work: Callable[[], object], repeat: int, budget_s: float) -> tuple[float, float, int]:
    """(median seconds, peak bytes, timed runs) after one warm-up run; fewer runs when a run is slow."""
    start = time.perf_counter()
    work()
    warm = time.perf_counter() - start
    runs = max(1, min(repeat, int(budget_s / warm) if warm else repeat))
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    try:
        work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak, runs


class StepTimeout(Exception):
    """Raised in the main thread when a step runs past ``--timeout``."""


def _stop(signum, frame) -> None:
    raise StepTimeout


def measure_step(step: Step, case: Case, repeat: int, budget_s: float, timeout_s: float) -> Result:
    result = Result(step.name, case.name)
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        work = step.prepare(case)
        seconds, peak, result.runs = time_call(work, repeat, budget_s)
    except Unavailable as exc:
        result.note = str(exc)
    except StepTimeout:
        result.note = f"stopped: over the {timeout_s:g} s limit for the step (warm-up, timed and memory runs)"
    except Exception as exc:  # noqa: BLE001 - one failing step must not hide the others' figures
        result.note = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:70] if str(exc) else ''}"
    else:
        result.ms, result.peak_mb = seconds * 1000, peak / 2**20
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return result


def add_ratios(results: list[Result], steps: tuple[Step, ...], sizes: list[str]) -> None:
    """Ratio to the calamine floor of the same file; growth from the smallest to the largest generated size."""
    by_key = {(r.step, r.size): r for r in results}
    wants_ratio = {s.name for s in steps if s.floor_ratio}
    for r in results:
        floor = by_key.get((FLOOR, r.size))
        if r.step in wants_ratio and r.ms is not None and floor and floor.ms:
            r.ratio = r.ms / floor.ms
    generated = sorted((s for s in sizes if s.isdigit()), key=int)
    if len(generated) < 2:
        return
    small, large = generated[0], generated[-1]
    for r in results:
        low, high = by_key.get((r.step, small)), by_key.get((r.step, large))
        if r.size == large and low and high and low.ms and high.ms is not None:
            r.growth = high.ms / low.ms


def format_table(results: list[Result], sizes: list[str]) -> str:
    generated = sorted((s for s in sizes if s.isdigit()), key=int)
    growth = f"growth {generated[-1]}/{generated[0]}" if len(generated) >= 2 else "growth"
    header = ("step", "size", "median ms", "peak MB", "runs", "× calamine", growth)
    timed = [
        (r.step, r.size, f"{r.ms:,.1f}", f"{r.peak_mb:,.1f}", str(r.runs),
         f"{r.ratio:.1f}×" if r.ratio is not None else "", f"{r.growth:.1f}×" if r.growth is not None else "")
        for r in results if r.ms is not None
    ]
    widths = [max(len(row[i]) for row in [header, *timed]) for i in range(len(header))]
    widths[1] = max([widths[1], *(len(r.size) for r in results)])
    widths[0] = max([widths[0], *(len(r.step) for r in results)])

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join([cells[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(cells[1:], widths[1:]))]).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    rows = iter(timed)
    for r in results:
        lines.append(line(next(rows)) if r.ms is not None
                     else f"{r.step.ljust(widths[0])}  {r.size.rjust(widths[1])}  {r.note}")
    return "\n".join(lines)


# ---- workbooks ------------------------------------------------------------------------------------------------

def generated_workbook(n: int, seed: int) -> bytes:
    """A generated workbook, cached under bench/.cache by size, seed and the generator's own source."""
    version = hashlib.sha256(Path(sys.modules[generate_workbook.__module__].__file__).read_bytes()).hexdigest()[:8]
    path = CACHE / f"measures-{n}-seed-{seed}-{version}.xlsx"
    if path.exists():
        return path.read_bytes()
    data = generate_workbook(n, seed=seed)
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(data)
    return data


def load_case(size: str, seed: int) -> Case | str:
    """The workbook for ``size`` ("sample" or a number of measures), or why there is none."""
    if size == "sample":
        return Case("sample", SAMPLE.read_bytes()) if SAMPLE.exists() else f"n/a (missing {SAMPLE.name})"
    if not size.isdigit() or int(size) < 1:
        raise SystemExit(f"unknown size {size!r}: use 'sample' or a number of measures")
    return Case(size, generated_workbook(int(size), seed))


def run(sizes: list[str], repeat: int, seed: int, skip: set[str], budget_s: float, timeout_s: float,
        progress) -> list[Result]:
    steps = tuple(s for s in STEPS if not (s.tags & skip))
    results = []
    for size in sizes:
        case = load_case(size, seed)
        for step in steps:
            if isinstance(case, str):
                results.append(Result(step.name, size, note=case))
                continue
            result = measure_step(step, case, repeat, budget_s, timeout_s)
            progress(f"{step.name} @ {size}: " + (f"{result.ms:,.1f} ms" if result.ms is not None else result.note))
            results.append(result)
    add_ratios(results, steps, sizes)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated: 'sample' and/or numbers of measures (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per step after one warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of timed runs per step; slow steps get fewer runs (default 60)")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds after which a step is stopped and reported as such (default 900)")
    parser.add_argument("--skip-pack", action="store_true", help="leave out the PDF pack")
    parser.add_argument("--skip-app", action="store_true", help="leave out the Streamlit page reruns")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    skip = {name for name, flag in (("pack", args.skip_pack), ("app", args.skip_app)) if flag}

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    results = run(sizes, max(1, args.repeat), args.seed, skip, args.budget, args.timeout, progress)
    print(format_table(results, sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

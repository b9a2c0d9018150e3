"""How long the committee pack takes: ``pprr pack`` as a fresh process against its floor, and warm builds.

Run from the repository root: ``python -m bench.bench_pack [--runs 5] [--times 10]``.

1. ``pprr pack`` on the Q3 sample, each run a fresh process (PDF, then HTML), side by side with the floor: a bare
   reportlab build of a 35-page document of plain tables (:mod:`bench.pack_floor`), also a fresh process, timed in
   the same run, alternating with the pack so that both see the same load. The target is 3x the floor. Both are
   run as installed: the bytecode of pprr and of the floor is written first, as pip writes it for an installed
   package (with PYTHONDONTWRITEBYTECODE set, every run would otherwise compile pprr's source, which reportlab,
   installed by pip, never pays). Each output's page count is printed beside its time.
2. The Report page's build (PDF and HTML pack in the running app's process) on the sample: the target is 1.5 s.
3. Warm builds in one process on the sample and a workbook ten times its size: median, pages, PDF size.

Wall-clock figures on a shared machine are noisy: compare the columns of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

import pprr
from pprr.model import PortfolioWorkbook
from pprr.report.html_pack import build_html
from pprr.report.pack import build_pack

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "stockport-cfse-2021-22-q3-illustrative.xlsx"


def enlarged(wb: PortfolioWorkbook, times: int) -> PortfolioWorkbook:
    """The workbook with its measures, services, reserves and savings repeated ``times`` times under new names."""

    def copies(items, **renames):
        return tuple(
            dataclasses.replace(item, **{f: f"{getattr(item, f)} R{k}" if k else getattr(item, f) for f in renames})
            for k in range(times) for item in items
        )

    return dataclasses.replace(
        wb,
        measures=copies(wb.measures, code=True),
        budget=copies(wb.budget, service=True),
        reserves=copies(wb.reserves, to_be_used_for=True),
        savings=copies(wb.savings, proposal=True),
    )


def timed(wb: PortfolioWorkbook, runs: int) -> tuple[float, int, int]:
    """(median seconds over ``runs`` warm runs, pages, bytes)."""
    pdf = build_pack(wb)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = build_pack(wb)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), len(PdfReader(io.BytesIO(pdf)).pages), len(pdf)


ROOT = Path(__file__).resolve().parents[1]
FLOOR_FACTOR = 3.0
REPORT_PAGE_TARGET = 1.5


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``python args...`` as a fresh process, from the repository root."""
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def fresh_processes(runs: int) -> dict[str, tuple[float, float, int | None]]:
    """Name -> (median wall, median CPU seconds, pages) of the floor and the packs, each run a fresh process,
    interleaved so that all see the same load."""
    for folder in ("pprr", "bench"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    outputs = {"floor: reportlab, 35 plain pages": "floor.pdf", "pprr pack (PDF), Q3 sample": "pack.pdf"}
    commands = {
        "floor: reportlab, 35 plain pages": ["-m", "bench.pack_floor", "{tmp}/floor.pdf"],
        "pprr pack (PDF), Q3 sample": ["-m", "pprr.cli", "pack", str(SAMPLE), "-o", "{tmp}/pack.pdf"],
        "pprr pack --format html": ["-m", "pprr.cli", "pack", str(SAMPLE), "--format", "html", "-o",
                                    "{tmp}/pack.html"],
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(_process([part.format(tmp=tmp) for part in command]))
        pages = {name: len(PdfReader(Path(tmp) / output).pages) for name, output in outputs.items()}
    return {name: (statistics.median(w for w, _ in runs_), statistics.median(c for _, c in runs_), pages.get(name))
            for name, runs_ in times.items()}


def report_page_build(wb: PortfolioWorkbook, runs: int) -> float:
    """Median seconds of what the Report page's Build does: the PDF pack then the HTML pack (warm process)."""
    build_pack(wb)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        build_pack(wb)
        build_html(wb)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per workbook (median shown)")
    parser.add_argument("--times", type=int, default=10, help="how many times larger the generated workbook is")
    args = parser.parse_args(argv)
    sample = pprr.load_workbook(SAMPLE)
    measured = fresh_processes(args.runs)
    floor_wall, floor_cpu, _ = next(iter(measured.values()))
    print(f"{'fresh process (median of ' + str(args.runs) + ')':<34} {'wall s':>7} {'x floor':>8} {'CPU s':>7} "
          f"{'x floor':>8} {'pages':>6}  target {FLOOR_FACTOR:g}x")
    for name, (wall, cpu, pages) in measured.items():
        verdict = "" if name.startswith("floor") else (
            ("ok" if wall <= FLOOR_FACTOR * floor_wall else "OVER (wall)") + ", "
            + ("ok" if cpu <= FLOOR_FACTOR * floor_cpu else "OVER (CPU)"))
        print(f"{name:<34} {wall:>7.2f} {wall / floor_wall:>8.2f} {cpu:>7.2f} {cpu / floor_cpu:>8.2f} "
              f"{pages if pages else '':>6}  {verdict}")
    page = report_page_build(sample, args.runs)
    print(f"{'Report page build (PDF + HTML)':<34} {page:>8.2f} {'':>8} {'':>8} {f'<= {REPORT_PAGE_TARGET:g} s':>8} "
          f"{'ok' if page <= REPORT_PAGE_TARGET else 'OVER'}")
    print()
    sys.stdout.flush()
    cases = [("Q3 sample", sample), (f"sample x{args.times}", enlarged(sample, args.times))]
    print(f"{'workbook':<14} {'measures':>8} {'services':>8} {'median s':>9} {'pages':>6} {'PDF kB':>7}")
    for name, wb in cases:
        seconds, pages, size = timed(wb, args.runs)
        print(f"{name:<14} {len(wb.measures):>8} {len(wb.budget):>8} {seconds:>9.2f} {pages:>6} {size / 1024:>7.0f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``pprr`` command: check a workbook, list statuses and budgets, write the template, build the PDF pack.

Results go to standard output (or the file named by ``-o``); problems that stop a command go to standard error.
Whatever the file, the command ends with a message, never a traceback: exit 0 on success, 1 when the workbook has
errors or the command could not be done, 2 for a mistake in the command line itself. pandas, the template writer and
the PDF pack are imported by the commands that use them, so ``pprr check`` starts quickly.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .model import Measure, PortfolioWorkbook, Problem
from .rules.values import format_number
from .safe_text import terminal_text
from .schema import REPORTING_PERIODS, YEAR_RE, norm_header
from .workbook.reader import is_not_template, load_workbook

_FILE_SHEET = "File"  # the sheet the reader names for problems with the file as a whole


class CommandError(Exception):
    """A reason the command cannot be done, said in one line for the person at the terminal."""


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a mistake in the command line (already explained by argparse)
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.run(args)
    except CommandError as exc:
        _error(f"pprr {args.command}: {exc}")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback, whatever the file
        _error(f"pprr {args.command}: could not finish ({type(exc).__name__}: {terminal_text(exc)})")
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pprr", description="Portfolio Performance and Resource Reports: workbooks, statuses and packs."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="list every problem in a workbook (exit 1 when there are errors)")
    check.add_argument("workbook", help="the portfolio workbook (.xlsx)")
    check.set_defaults(run=_check)

    status = sub.add_parser("status", help="status, trend and reason of every measure")
    _table_arguments(status)
    status.set_defaults(run=_status)

    budget = sub.add_parser("budget", help="net budget, forecast, variance and RAG of every service (£000)")
    _table_arguments(budget)
    budget.set_defaults(run=_budget)

    movement = sub.add_parser("movement", help="what changed since an earlier report: measures, and money with --finance")
    movement.add_argument("workbook", help="the later report's workbook (.xlsx)")
    movement.add_argument("--since", required=True, metavar="PREVIOUS",
                          help="the earlier report: its workbook (.xlsx), or a reporting period kept by "
                               "`pprr periods add` (e.g. Mid-Year)")
    movement.add_argument("--format", choices=("csv", "text"), default="text", help="csv, or text to read")
    movement.add_argument("--finance", action="store_true",
                          help="the forecast outturn by service instead of the measures, and the total as a sentence")
    movement.add_argument("-o", "--output", help="write to this file instead of the screen")
    movement.set_defaults(run=_movement)

    periods = sub.add_parser("periods", help="the reporting periods kept in the store: add one, or list them")
    which = periods.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = which.add_parser("add", help="keep a workbook as the reporting period its Portfolio sheet names")
    add.add_argument("workbook", help="the workbook as reported (.xlsx)")
    add.add_argument("--replace", action="store_true",
                     help="replace the period if it is kept already (the replaced version stays on record)")
    add.add_argument("--saved-by", metavar="NAME", help="who is saving it (default: your user name)")
    add.set_defaults(run=_periods_add)
    listing = which.add_parser("list", help="portfolio, year, period, saved at, measures, net budget, forecast")
    listing.add_argument("--format", choices=("csv", "table"), default="table", help="csv, or a table to read")
    listing.add_argument("-o", "--output", help="write to this file instead of the screen")
    listing.set_defaults(run=_periods_list)

    template = sub.add_parser("template", help="write the empty workbook template")
    template.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    template.add_argument("--year", help="financial year of the example headers, e.g. 2021/22 (default: current)")
    template.set_defaults(run=_template)

    imp = sub.add_parser("import", help="bring a council's own workbook (.xlsx, .xls, .ods) into the template",
                         description="Find the headings of each sheet, map its columns to the template's (by the "
                         "words officers use and by what the values look like), and write a template workbook. "
                         "The mapping is printed; save it with --save-mapping, edit it, and use it with --mapping.")
    imp.add_argument("source", help="the council's workbook (.xlsx, .xls or .ods)")
    imp.add_argument("-o", "--output", required=True, help="the template workbook (.xlsx) to write")
    imp.add_argument("--mapping", metavar="FILE.toml", help="use this saved mapping instead of the proposal")
    imp.add_argument("--save-mapping", metavar="FILE.toml", help="save the mapping used, for next time")
    imp.add_argument("--council", help="the council's name (default: from the file's title rows)")
    imp.add_argument("--portfolio", help="the portfolio's name (default: from the title rows or the file name)")
    imp.add_argument("--year", help="financial year, e.g. 2023/24 (default: from the headings or titles)")
    imp.add_argument("--period", help="reporting period: " + ", ".join(REPORTING_PERIODS))
    imp.set_defaults(run=_import)

    pack = sub.add_parser("pack", help="build the committee pack (PDF, or accessible HTML)")
    pack.add_argument("workbook", help="the portfolio workbook (.xlsx)")
    pack.add_argument("-o", "--output", required=True, help="the .pdf (or, with --format html, .html) file to write")
    pack.add_argument("--format", choices=("pdf", "html"), default="pdf",
                      help="pdf (default), or html: one self-contained accessible page")
    pack.add_argument("--since", metavar="PREVIOUS.xlsx",
                      help="the workbook of the last report: the pack shows what changed since")
    pack.add_argument("--priority", type=int, action="append", metavar="N", help="include priority N (repeatable)")
    pack.add_argument("--section", action="append", metavar="NAME", help="include section NAME (repeatable)")
    pack.add_argument("--exceptions-only", action="store_true", help="list only the Red measures")
    pack.add_argument("--scenario", metavar="FILE.json", help="what-if targets: a JSON object, measure -> target")
    pack.set_defaults(run=_pack)
    return parser


def _table_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", help="the portfolio workbook (.xlsx)")
    parser.add_argument("--format", choices=("csv", "table"), default="table", help="csv, or a table to read")
    parser.add_argument("-o", "--output", help="write to this file instead of the screen")


# --- commands -----------------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    path, wb = _read(args.workbook)
    if is_not_template(wb):
        for problem in wb.problems:
            print(_line(problem))
        print(f"Next step: pprr import {terminal_text(args.workbook)} -o portfolio.xlsx brings its measures and "
              "budget into the template (pprr import --help); or pprr template -o template.xlsx writes the empty "
              "template to fill in.")
        return 1
    if _unreadable(wb):
        for problem in wb.problems:
            _error(_line(problem))
        return 1
    for problem in (*wb.errors, *wb.warnings):
        print(_line(problem))
    print(_summary(path, wb))
    return 1 if wb.errors else 0


def _status(args: argparse.Namespace) -> int:
    from .report.tables import comparator_status_rows, status_columns, status_frame

    wb = _usable(args.workbook)
    if args.format == "csv":
        text = _csv(comparator_status_rows(wb), status_columns(wb))
    else:
        text = _table(status_frame(wb))
    _emit(text, args.output)
    return 0


def _budget(args: argparse.Namespace) -> int:
    import pandas as pd

    from .rules.finance import budget_table, format_money

    wb = _usable(args.workbook)
    frame = budget_table(wb)
    if args.format == "csv":
        # £000 to one decimal (the workbook's own precision at most) and percentages to two: data, not display.
        exported = frame.copy()
        for column, places in (("net_budget", 1), ("forecast", 1), ("variance", 1), ("variance_pct", 2)):
            exported[column] = exported[column].map(lambda x, p=places: None if pd.isna(x) else round(x, p))
        text = _csv(exported.to_dict("records"), list(frame.columns))
    else:
        shown = frame.copy()
        for column in ("net_budget", "forecast", "variance"):
            shown[column] = shown[column].map(format_money)
        shown["variance_pct"] = shown["variance_pct"].map(lambda x: "" if pd.isna(x) else f"{x:.1f}%")
        text = _table(shown)
    _emit(text, args.output)
    return 0


def _movement(args: argparse.Namespace) -> int:
    from .rules.finance import format_money
    from .year.movement import FINANCE_COLUMNS, MEASURE_COLUMNS, compare, finance_rows, movement_rows

    current = _usable(args.workbook)
    previous = resolve_since(args.since, current)
    movement = compare(previous, current)
    for problem in movement.problems:
        _error(_line(problem))
    if not movement.ok:
        raise CommandError(f"cannot compare {args.workbook} with {args.since}")
    if args.finance:
        rows, columns = finance_rows(movement), FINANCE_COLUMNS
    else:
        rows, columns = movement_rows(movement), MEASURE_COLUMNS
    if args.format == "csv":
        _emit(_csv(rows, columns), args.output)
        return 0
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    heading = f"Since {movement.previous_label}: {movement.current_label}"
    if args.finance:
        for column in FINANCE_COLUMNS[2:]:
            frame[column] = frame[column].map(format_money)
        summary = movement.total_sentence()
    else:
        counts = ", ".join(f"{n} {c.value.lower()}" for c, n in movement.change_counts.items() if n)
        summary = f"{len(movement.measures)} measures: {counts or 'none'}."
    _emit(f"{terminal_text(heading)}\n{terminal_text(summary)}\n\n{_table(frame)}", args.output)
    return 0


def _since_file(name: str, current: PortfolioWorkbook | None = None) -> PortfolioWorkbook | None:
    """The earlier report as a workbook file, or None when ``name`` is not a file's name."""
    path = Path(name)
    if not path.exists():
        return None
    return _usable(name)


# How ``--since`` is turned into the earlier report's workbook: each resolver is tried in turn and the first that
# recognises the name (returns a workbook) wins. Another source (e.g. stored reporting periods) adds its resolver.
def _since_period(name: str, current: PortfolioWorkbook | None = None) -> PortfolioWorkbook | None:
    """The earlier report as a reporting period kept in the store, of the current workbook's portfolio and year."""
    if current is None or name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return None
    from .year.store import PeriodNotFound, StoreError, open_store

    p = current.portfolio
    try:
        kept = open_store().periods.get(name, p.portfolio.strip(), p.financial_year.strip(),
                                        council=p.council.strip())
    except PeriodNotFound:
        return None
    except StoreError as error:
        raise CommandError(_store_line(error)) from None
    wb = load_workbook(kept.workbook, kept.filename)
    if wb.errors:
        raise CommandError(f"--since {name}: the kept {kept.label} can no longer be read: "
                           + " ".join(_line(p) for p in wb.errors[:3]))
    return wb


SINCE_RESOLVERS: list = [_since_file, _since_period]


def resolve_since(name: str, current: PortfolioWorkbook | None = None) -> PortfolioWorkbook:
    for resolver in SINCE_RESOLVERS:
        wb = resolver(name, current)
        if wb is not None:
            return wb
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")) or "/" in name or "\\" in name:
        raise CommandError(f"--since {name}: no such file")
    raise CommandError(f"--since {name}: no such file, and no reporting period of that name is kept for "
                       "this portfolio and year (pprr periods list shows them)")


def _store_line(error) -> str:
    """A store failure in one line: what it is, then where and why for the operator."""
    return f"{error.message} ({terminal_text(error.reason)})"


def _periods_add(args: argparse.Namespace) -> int:
    import getpass

    from .year.store import StoreError, open_store

    wb = _usable(args.workbook)
    path = Path(args.workbook)
    saved_by = args.saved_by
    if not saved_by:
        try:
            saved_by = getpass.getuser()
        except (KeyError, OSError):
            saved_by = "unknown"
    try:
        info = open_store().periods.save(path.read_bytes(), wb, path.name, saved_by, replace=args.replace)
    except StoreError as error:
        if error.kind in ("exists", "unnamed"):
            raise CommandError(error.message + (" Add --replace to replace it." if error.kind == "exists" else ""))
        raise CommandError(_store_line(error)) from None
    kept = f"version {info.version}" if info.version > 1 else "first version"
    print(terminal_text(f"Kept {info.portfolio} {info.year} {info.period} ({kept}), saved by {info.saved_by}."))
    return 0


PERIOD_COLUMNS = ("portfolio", "year", "period", "saved_at", "measures", "net_budget", "forecast", "saved_by",
                  "version")


def _periods_list(args: argparse.Namespace) -> int:
    from .year.store import StoreError, open_store

    try:
        kept = open_store().periods.list()
    except StoreError as error:
        raise CommandError(_store_line(error)) from None
    rows = [{"portfolio": p.portfolio, "year": p.year, "period": p.period,
             "saved_at": p.saved.strftime("%Y-%m-%d %H:%M:%S UTC"), "measures": p.measures,
             "net_budget": None if p.net_budget is None else round(p.net_budget, 1),
             "forecast": None if p.forecast is None else round(p.forecast, 1),
             "saved_by": p.saved_by, "version": p.version} for p in kept]
    if args.format == "csv":
        _emit(_csv(rows, PERIOD_COLUMNS), args.output)
        return 0
    if not rows:
        _emit("No reporting periods are kept yet: pprr periods add WORKBOOK.xlsx keeps one.\n", args.output)
        return 0
    import pandas as pd

    from .rules.finance import format_money

    frame = pd.DataFrame(rows, columns=list(PERIOD_COLUMNS), dtype=object)
    for column in ("net_budget", "forecast"):
        frame[column] = frame[column].map(format_money)
    _emit(_table(frame), args.output)
    return 0


def _template(args: argparse.Namespace) -> int:
    from .workbook.template import write_template

    try:
        write_template(args.output, args.year)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    _error(f"Wrote the empty template to {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from .workbook import importer

    source_path = Path(args.source)
    if not source_path.is_file():
        raise CommandError(f"{args.source}: no such file")
    if not args.output.casefold().endswith(".xlsx"):
        raise CommandError(f"{args.output}: the workbook pprr writes is always .xlsx; name it so")
    if Path(args.output).resolve() == source_path.resolve():
        raise CommandError(f"{args.output} is the file to import: write the template workbook to another file")
    given = _portfolio_flags(args)
    mapping = None
    try:
        source = importer.read_import_source(source_path.read_bytes(), source_path.name)
        notes: list[str] = []
        if args.mapping:
            saved = importer.mapping_from_text(_read_text(args.mapping), Path(args.mapping).name)
            mapping, notes = importer.fit_mapping(source, saved, given)
        else:
            mapping = importer.propose(source, given)
        _print_mapping(source, mapping, importer)
        result = importer.build(source, mapping)
    except importer.ImportProblem as exc:
        for problem in exc.problems:
            _error(_line(problem))
        if mapping is not None and args.save_mapping and not args.mapping:
            _save_mapping(args.save_mapping, importer.mapping_to_toml(importer.with_every_sheet(source, mapping),
                                                                      source_path.name))
            _error(f"Saved the proposed mapping to {terminal_text(args.save_mapping)}: edit it and import again "
                   f"with --mapping {terminal_text(args.save_mapping)}.")
        raise CommandError(f"nothing was written to {args.output}") from None
    try:
        Path(args.output).write_bytes(result.data)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    for note in [*notes, *result.notes]:
        print(f"  - {terminal_text(note)}")
    wb = result.workbook
    print(f"Wrote {terminal_text(args.output)}: {len(wb.measures)} measure{'s' if len(wb.measures) != 1 else ''} under {len(wb.priorities)} "
          f"priorit{'ies' if len(wb.priorities) != 1 else 'y'}, {len(wb.budget)} budget lines; "
          f"{len(wb.warnings)} warning{'s' if len(wb.warnings) != 1 else ''} (pprr check {terminal_text(args.output)}"
          " lists them).")
    if args.save_mapping:
        _save_mapping(args.save_mapping, importer.mapping_to_toml(mapping, source_path.name))
        print(f"Saved the mapping to {terminal_text(args.save_mapping)}: next time, pprr import NEW.xlsx -o "
              f"portfolio.xlsx --mapping {terminal_text(args.save_mapping)}")
    elif not args.mapping:
        print("To change the mapping: add --save-mapping mapping.toml, edit the file, and import again with "
              "--mapping mapping.toml.")
    return 0


def _save_mapping(name: str, text: str) -> None:
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {name}: {exc.strerror or exc}") from None


def _portfolio_flags(args: argparse.Namespace) -> dict[str, str]:
    given = {"Council": args.council, "Portfolio": args.portfolio, "Financial Year": args.year,
             "Reporting Period": args.period}
    if args.year and not YEAR_RE.match(args.year):
        raise CommandError(f"--year {args.year} should look like 2023/24")
    if args.period:
        match = next((p for p in REPORTING_PERIODS if p.casefold() == args.period.casefold()), None)
        if match is None:
            raise CommandError(f"--period {args.period} should be one of: {', '.join(REPORTING_PERIODS)}")
        given["Reporting Period"] = match
    return {k: v.strip() for k, v in given.items() if v and v.strip()}


def _read_text(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not a text file (a mapping is TOML or JSON text)") from None


def _print_mapping(source, mapping, importer) -> None:
    """The mapping, sheet by sheet and column by column, for the officer to check."""
    print(f"{terminal_text(source.name)}:")
    for name, layout in source.layouts.items():
        sheet = mapping.sheet(name)
        if sheet is None or sheet.kind == importer.SKIP:
            from .workbook.layout_sniff import describe

            print(f"  sheet '{terminal_text(name)}': not imported ({terminal_text(describe(layout))})")
            continue
        rows = f"rows {sheet.heading_row - 1}-{sheet.heading_row}" if sheet.heading_rows == 2 else \
            f"row {sheet.heading_row}"
        print(f"  sheet '{terminal_text(name)}' as {importer.SHEET_KINDS[sheet.kind].lower()}, headings in {rows}:")
        for heading, role in sheet.columns.items():
            print(f"    {terminal_text(heading)[:50]:<50} -> {role}")
    fields = ", ".join(f"{k}: {terminal_text(v)}" for k, v in mapping.portfolio.items() if v)
    print(f"  Portfolio: {fields}")


def _pack(args: argparse.Namespace) -> int:
    from .report.content import SECTIONS, PackOptions, apply_scenario, scenario_key

    wb = _usable(args.workbook)
    previous = _usable(args.since) if args.since else None  # compared with the workbook by pprr.year.movement
    scenario = None
    if args.scenario:
        scenario = _scenario(args.scenario, {key: scenario_key(m) for m in wb.measures for key in _names(m)})
        try:
            apply_scenario(wb, scenario)
        except ValueError as exc:
            raise CommandError(f"{args.scenario}: {exc}") from None
    options = PackOptions(
        sections=_sections(args.section, SECTIONS),
        priorities=_priorities(args.priority, wb),
        exceptions_only=args.exceptions_only,
        scenario_targets=scenario,
        previous=previous,
    )
    try:
        if args.format == "html":
            from .report.html_pack import build_html

            data = build_html(wb, options).encode("utf-8")
        else:
            from .report.pack import build_pack

            data = build_pack(wb, options)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    _error(f"Wrote the committee pack to {args.output}")
    return 0


# --- reading the workbook -----------------------------------------------------------------------------------


def _read(name: str) -> tuple[Path, PortfolioWorkbook]:
    path = Path(name)
    if not path.exists():
        raise CommandError(f"{name}: no such file")
    if not path.is_file():
        raise CommandError(f"{name}: not a file")
    return path, load_workbook(path)


def _usable(name: str) -> PortfolioWorkbook:
    """The workbook, or CommandError after listing its errors on standard error."""
    path, wb = _read(name)
    if _unreadable(wb):
        raise CommandError(" ".join(_line(p) for p in wb.errors))
    if wb.errors:
        for problem in wb.errors:
            _error(_line(problem))
        count = len(wb.errors)
        raise CommandError(
            f"{path.name} has {count} error{'s' if count != 1 else ''}: fix {'them' if count != 1 else 'it'} "
            f"first (pprr check {name} lists every problem)"
        )
    return wb


def _unreadable(wb: PortfolioWorkbook) -> bool:
    """True when the file itself could not be read: only file-level errors, nothing else to report."""
    return bool(wb.problems) and all(p.is_error and p.sheet == _FILE_SHEET and p.row is None for p in wb.problems)


def _line(problem: Problem) -> str:
    return terminal_text(str(problem))


def _summary(path: Path, wb: PortfolioWorkbook) -> str:
    errors, warnings = len(wb.errors), len(wb.warnings)
    verdict = "fix the errors before using this workbook" if errors else "the workbook can be used"
    return (
        f"{terminal_text(path.name)}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}; {len(wb.measures)} measures, "
        f"{len(wb.budget)} budget lines; {verdict}."
    )


# --- pack options -------------------------------------------------------------------------------------------


def _sections(names: list[str] | None, known: Sequence[str]) -> tuple[str, ...] | None:
    if not names:
        return None
    by_key = {norm_header(s): s for s in known}
    unknown = [n for n in names if norm_header(n) not in by_key]
    if unknown:
        raise CommandError(f"unknown section {', '.join(unknown)}; sections are: {', '.join(known)}")
    return tuple(by_key[norm_header(n)] for n in names)


def _priorities(numbers: list[int] | None, wb: PortfolioWorkbook) -> tuple[int, ...] | None:
    if not numbers:
        return None
    present = [p.number for p in wb.priorities]
    unknown = [str(n) for n in numbers if n not in present]
    if unknown:
        raise CommandError(
            f"priority {', '.join(unknown)} is not in the workbook; its priorities are: {', '.join(map(str, present))}"
        )
    return tuple(numbers)


def _names(measure: Measure) -> tuple[str, ...]:
    """How a scenario file may name a measure: its label ("CFSE.13 Writing"), CODE|COHORT, or the bare code."""
    names = (measure.label, f"{measure.code}|{measure.cohort}")
    return names if measure.cohort else (*names, measure.code)


def _scenario(name: str, keys: dict[str, str]) -> dict[str, str]:
    """What-if targets from a JSON object of measure -> target, keyed as the pack expects (``keys`` maps names)."""
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CommandError(f"{name} should hold a JSON object of measure -> target, e.g. {{\"CFSE.1\": \"9%\"}}")
    targets = {}
    for measure, value in data.items():
        if measure not in keys:
            raise CommandError(f"{name}: no measure {measure} in the workbook (name it as 'CFSE.13 Writing')")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise CommandError(f"{name}: the target for {measure} should be text or a number")
        targets[keys[measure]] = value if isinstance(value, str) else format_number(float(value))
    return targets


# --- output -------------------------------------------------------------------------------------------------


def _csv(rows: list[dict], columns: Sequence[str]) -> str:
    from .report.tables import write_csv

    buffer = io.StringIO()
    write_csv(rows, buffer, columns)
    return buffer.getvalue()


def _table(frame) -> str:
    shown = frame.map(lambda v: terminal_text("" if v is None else v))
    return shown.to_string(index=False, max_colwidth=60) + "\n"


def _emit(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    _error(f"Wrote {output}")


def _error(message: str) -> None:
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

"""Hold the agreement's service budget lines to £100 so that lines and totals both display exactly as printed.

    python sample_data/unround_budget.py

The agreement prints every service line and every total rounded to £000 from unrounded ledger figures, so the
printed lines do not add up to the printed totals (they sum to 59,032 / (14,522) / 44,512 against 59,033 /
(14,522) / 44,511), and on five lines employee + non-employee (on two, gross expenditure + gross income) misses the
printed gross (net) by 1. This script finds, for every service line, figures with one decimal (£100) such that

* each figure rounds to the figure the agreement prints for it (never an exact .5, so no rounding rule matters);
* employee + non-employee = gross expenditure and gross expenditure + gross income = net budget, exactly;
* each column's total per division and for the portfolio rounds to the printed sub-total and total.

Among all such choices it takes the one whose figures move least from the printed ones (smallest sum of squared
changes, in £100; a printed 0 stays 0; ties go to the first option in a fixed order), found by dynamic programming
over the lines of each division. The printed line figures are read back from ``source/budget.tsv`` by rounding
(so rerunning changes nothing) and the printed totals from the agreement's text. The Q3 illustrative forecasts in
``source/q3_budget.tsv`` are moved with their net budgets so that every variance keeps its whole-£000 value.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).resolve().parent / "source"
BUDGET_TSV = SOURCE / "budget.tsv"
Q3_BUDGET_TSV = SOURCE / "q3_budget.tsv"
SEED = SOURCE / "stockport-cfse-ppra-2021-22.txt"

COLUMNS = (
    "Employee Expenditure",
    "Non-Employee Expenditure",
    "Gross Expenditure",
    "Gross Income",
    "Net Budget",
)
TOTAL_LABELS = {
    "CFS sub-total": "Children & Family Services",
    "Education sub-total": "Education",
    "Children, Family Services and Education Total": None,  # the portfolio
}
STEP = 4  # a figure may move at most 0.4 (£400) from the printed one: it still rounds to it, and is never .5
REACH = 24  # the running sums of the changes, in £100, are kept within ±REACH


class UnroundError(Exception):
    pass


@dataclass(frozen=True)
class Printed:
    """One service line as printed, £000: employee, non-employee, gross expenditure, gross income, net."""

    service: str
    division: str
    figures: tuple[int, int, int, int, int]


# ---------------------------------------------------------------- reading and writing


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t")
    return header, [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def write_tsv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    lines = ["\t".join(header)] + ["\t".join(row[h] for h in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def whole(text: str) -> int:
    return int(Decimal(text).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def printed_lines(rows: list[dict[str, str]]) -> list[Printed]:
    return [Printed(r["Service"], r["Division"], tuple(whole(r[c]) for c in COLUMNS)) for r in rows]


def seed_number(text: str) -> int:
    """'3,664' -> 3664, '(4,636)' -> -4636."""
    text = text.strip().replace(",", "")
    return -int(text[1:-1]) if text.startswith("(") else int(text)


def printed_totals() -> dict[str | None, tuple[int, ...]]:
    """The agreement's sub-totals per division and its portfolio total (key None), five columns each."""
    totals = {}
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        if cells[0] in TOTAL_LABELS and len(cells) == 6:
            totals[TOTAL_LABELS[cells[0]]] = tuple(seed_number(c) for c in cells[1:])
    if len(totals) != len(TOTAL_LABELS):
        raise UnroundError(f"{SEED.name}: found totals for {sorted(map(str, totals))} only")
    return totals


# ---------------------------------------------------------------- the search (all amounts in £100)


def line_options(line: Printed) -> list[tuple[tuple[int, int, int], int]]:
    """Every admissible (employee, non-employee, income) change for a line with its cost, cheapest first."""
    employee, non_employee, gross, income, net = line.figures
    gross_gap = 10 * (employee + non_employee - gross)
    net_gap = 10 * (gross + income - net)

    def moves(printed: int) -> range:
        return range(1) if printed == 0 else range(-STEP, STEP + 1)

    options = []
    for d_emp, d_non, d_inc in product(moves(employee), moves(non_employee), moves(income)):
        d_gross = d_emp + d_non + gross_gap
        d_net = d_gross + d_inc + net_gap
        if abs(d_gross) <= STEP and abs(d_net) <= STEP:
            cost = d_emp**2 + d_non**2 + d_gross**2 + d_inc**2 + d_net**2
            options.append(((d_emp, d_non, d_inc), cost))
    if not options:
        raise UnroundError(f"{line.service}: no figures to £100 round to the printed ones")
    return sorted(options, key=lambda option: option[1])


def shifted(table: np.ndarray, move: tuple[int, int, int]) -> np.ndarray:
    """The table moved by `move` along its three axes, cells moved in from outside set to infinity."""
    out = np.full_like(table, np.inf)
    size = table.shape[0]
    target = tuple(slice(max(d, 0), size + min(d, 0)) for d in move)
    source = tuple(slice(max(-d, 0), size - max(d, 0)) for d in move)
    out[target] = table[source]
    return out


def division_costs(lines: list[Printed]) -> tuple[np.ndarray, list]:
    """Least cost of every reachable (employee, non-employee, income) change total, and the choices made."""
    size = 2 * REACH + 1
    cost = np.full((size, size, size), np.inf)
    cost[REACH, REACH, REACH] = 0.0
    steps = []
    for line in lines:
        options = line_options(line)
        best = np.full_like(cost, np.inf)
        pick = np.full(cost.shape, -1, dtype=np.int32)
        for index, (move, price) in enumerate(options):
            candidate = shifted(cost, move) + price
            better = candidate < best
            best[better] = candidate[better]
            pick[better] = index
        steps.append((options, pick))
        cost = best
    return cost, steps


def backtrack(steps: list, total: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    position = [t + REACH for t in total]
    moves = []
    for options, pick in reversed(steps):
        move = options[pick[tuple(position)]][0]
        moves.append(move)
        position = [p - d for p, d in zip(position, move)]
    if position != [REACH] * 3:
        raise UnroundError("backtracking did not return to the start")
    return moves[::-1]


def window(lines: list[Printed], total: tuple[int, ...]) -> list[range]:
    """Per column, the change totals (£100) under which the column's sum rounds to the printed total."""
    printed_sum = [sum(line.figures[i] for line in lines) for i in range(5)]
    return [range(10 * (t - s) - STEP, 10 * (t - s) + STEP + 1) for t, s in zip(total, printed_sum)]


def column_changes(lines: list[Printed], change: tuple[int, int, int]) -> tuple[int, ...]:
    """The five column totals' changes from the (employee, non-employee, income) change totals."""
    d_emp, d_non, d_inc = change
    gross_gap = sum(10 * (e + n - g) for e, n, g, _, _ in (line.figures for line in lines))
    net_gap = sum(10 * (g + i - n) for _, _, g, i, n in (line.figures for line in lines))
    d_gross = d_emp + d_non + gross_gap
    return d_emp, d_non, d_gross, d_inc, d_gross + d_inc + net_gap


def fits(lines: list[Printed], total: tuple[int, ...], change: tuple[int, int, int]) -> bool:
    return all(c in w for c, w in zip(column_changes(lines, change), window(lines, total)))


def solve(lines: list[Printed], totals: dict) -> dict[str, tuple[int, int, int]]:
    """The least-cost change per service (employee, non-employee, income; £100) meeting every printed total."""
    divisions = list(dict.fromkeys(line.division for line in lines))
    if len(divisions) != 2 or set(divisions) != set(totals) - {None}:
        raise UnroundError(f"expected the two divisions of the printed sub-totals, found {divisions}")
    groups = {d: [line for line in lines if line.division == d] for d in divisions}
    searched = {d: division_costs(groups[d]) for d in divisions}
    finals = {}
    for d in divisions:
        cost = searched[d][0]
        reachable = (tuple(int(i) - REACH for i in idx) for idx in zip(*np.nonzero(np.isfinite(cost))))
        finals[d] = [
            (float(cost[tuple(c + REACH for c in change)]), change)
            for change in reachable
            if fits(groups[d], totals[d], change)
        ]
    first, second = divisions
    best = None
    for cost_a, change_a in finals[first]:
        for cost_b, change_b in finals[second]:
            both = tuple(a + b for a, b in zip(change_a, change_b))
            if (best is None or cost_a + cost_b < best[0]) and fits(lines, totals[None], both):
                best = (cost_a + cost_b, change_a, change_b)
    if best is None:
        raise UnroundError("no figures to £100 reproduce every printed total")
    moves = {}
    for d, change in zip(divisions, best[1:]):
        for line, move in zip(groups[d], backtrack(searched[d][1], change)):
            moves[line.service] = move
    return moves


# ---------------------------------------------------------------- applying and checking


def held_figures(line: Printed, move: tuple[int, int, int]) -> tuple[Decimal, ...]:
    """Employee, non-employee, gross expenditure, gross income and net budget to £100 (in £000)."""
    employee, non_employee, _, income, _ = line.figures
    tenth = Decimal("0.1")
    e = employee + move[0] * tenth
    n = non_employee + move[1] * tenth
    i = income + move[2] * tenth
    return e, n, e + n, i, e + n + i


def check(held: dict[str, tuple[Decimal, ...]], lines: list[Printed], totals: dict) -> None:
    for line in lines:
        figures = held[line.service]
        if tuple(whole(str(f)) for f in figures) != line.figures:
            raise UnroundError(f"{line.service}: {figures} does not round to {line.figures}")
        if any(abs(f - round(f)) == Decimal("0.5") for f in figures):
            raise UnroundError(f"{line.service}: {figures} has a figure ending in .5")
    for division, total in totals.items():
        group = [line for line in lines if division is None or line.division == division]
        sums = [sum(held[line.service][i] for line in group) for i in range(5)]
        if tuple(whole(str(s)) for s in sums) != total:
            raise UnroundError(f"{division or 'portfolio'}: {sums} does not round to {total}")


def main() -> int:
    header, rows = read_tsv(BUDGET_TSV)
    q3_header, q3_rows = read_tsv(Q3_BUDGET_TSV)
    try:
        lines = printed_lines(rows)
        totals = printed_totals()
        moves = solve(lines, totals)
        held = {line.service: held_figures(line, moves[line.service]) for line in lines}
        check(held, lines, totals)
        net_now = {r["Service"]: Decimal(r["Net Budget"]) for r in rows}
        for r in q3_rows:
            variance = Decimal(r["Forecast Outturn"]) - net_now[r["Service"]]
            if variance != variance.to_integral_value():
                raise UnroundError(f"q3_budget.tsv {r['Service']}: variance {variance} is not whole £000")
            r["Forecast Outturn"] = f"{held[r['Service']][4] + variance:.1f}"
    except UnroundError as exc:
        print(f"unround_budget: {exc}", file=sys.stderr)
        return 1
    for r in rows:
        r.update({c: f"{f:.1f}" for c, f in zip(COLUMNS, held[r["Service"]])})
    write_tsv(BUDGET_TSV, header, rows)
    write_tsv(Q3_BUDGET_TSV, q3_header, q3_rows)
    moved = sum(1 for line in lines for a, b in zip(held[line.service], line.figures) if a != b)
    print(
        f"wrote {BUDGET_TSV.name} and {Q3_BUDGET_TSV.name}: {moved} of {5 * len(lines)} figures held to £100"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

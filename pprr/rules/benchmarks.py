"""Benchmarks: how a measure compares with its comparator sets, written down once.

A measure may carry several comparators (Statistical Neighbours, England, North West ...), each with its own value
and year (:class:`pprr.model.Benchmark`). Two rules live here and nowhere else:

* A target of ``Comparator`` is rated against the chosen set (the Portfolio sheet's *Comparator Set*, default
  Statistical Neighbours); a measure with no value for that set falls back to its plain Comparator column.
* The latest actual is **better**, **similar** or **worse** than a comparator, judged with the measure's polarity:
  gap = actual - comparator where high is good, comparator - actual where low is good. *Similar* when the gap is
  within the same band as Amber (the measure's own Tolerance, else Tolerance % of the comparator's size); better
  or worse beyond it. Contextual measures are not judged.

Pure functions: nothing here reads a file or knows about the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..model import Benchmark, Measure, PortfolioWorkbook
from ..schema import DEFAULT_COMPARATOR_SET
from .values import format_number


class Comparison(str, Enum):
    BETTER = "Better"
    SIMILAR = "Similar"
    WORSE = "Worse"


# Words and symbols shown beside a comparator; never colour alone.
COMPARISON_WORDS: dict[Comparison, str] = {
    Comparison.BETTER: "better than",
    Comparison.SIMILAR: "similar to",
    Comparison.WORSE: "worse than",
}
COMPARISON_SYMBOLS: dict[Comparison, str] = {Comparison.BETTER: "▲", Comparison.SIMILAR: "=", Comparison.WORSE: "▼"}

COMPARISON_KEY: list[tuple[str, str]] = [
    ("Better / worse than", ("The latest actual against the comparator, judged by whether high or low is good, by "
                            "more than the measure's tolerance (its own, else Tolerance % of the comparator).")),
    ("Similar to", "The two differ by no more than that tolerance."),
    ("Comparator target", ("A target of 'Comparator' is rated against the Portfolio sheet's Comparator Set "
                          f"(default {DEFAULT_COMPARATOR_SET}); without a value for that set, against the "
                          "Comparator column.")),
]


# Comparator sets councils commonly use. A screen that must not show workbook text in code-made places (grid
# headers) names a known set with these words and any other set by its position.
KNOWN_SETS = (
    "Statistical Neighbours", "England", "North West", "Greater Manchester", "Core Cities",
    "CIPFA Nearest Neighbours", "Regional", "National", "Wales", "Scotland", "Northern Ireland",
)


def is_known(set_name: str) -> bool:
    return " ".join(set_name.split()).casefold() in {k.casefold() for k in KNOWN_SETS}


def known_name(set_name: str, position: int) -> str:
    """The code's own spelling of ``set_name`` when it is a known set, else ``Comparator <position>``."""
    folded = " ".join(set_name.split()).casefold()
    return next((k for k in KNOWN_SETS if k.casefold() == folded), f"Comparator {position}")


@dataclass(frozen=True)
class Judgement:
    """The latest actual against one comparator set."""

    set: str
    benchmark: Benchmark | None
    comparison: Comparison | None  # None: not judged (no number on one side, or a contextual measure)
    gap: float | None = None  # positive = better than the comparator

    @property
    def text(self) -> str:
        """``better than Statistical Neighbours (-1.66, 2018/19)``; ``Statistical Neighbours -1.66 (2018/19)``
        when not judged; ``""`` when the measure has no value for the set."""
        if self.benchmark is None:
            return ""
        shown = describe(self.benchmark)
        if self.comparison is None:
            return f"{self.set} {shown}"
        return f"{COMPARISON_WORDS[self.comparison]} {self.set} ({shown})"


def describe(benchmark: Benchmark) -> str:
    """``-1.66 (2018/19)``: the value as written, with its year."""
    return f"{benchmark.value.raw} ({benchmark.year})" if benchmark.year else benchmark.value.raw


def chosen_set(wb: PortfolioWorkbook) -> str:
    return wb.portfolio.comparator_set or DEFAULT_COMPARATOR_SET


def comparator_for(measure: Measure, set_name: str = DEFAULT_COMPARATOR_SET) -> tuple[float, str] | None:
    """(number, what it is) a ``Comparator`` target is rated against: the chosen set's value, else the plain
    Comparator column; None when the measure has neither."""
    benchmark = measure.benchmark(set_name)
    if benchmark is not None and benchmark.number is not None:
        year = f" {benchmark.year}" if benchmark.year else ""
        return benchmark.number, f"{benchmark.set}{year}"
    if measure.comparator is not None:
        return measure.comparator, "comparator"
    return None


def judge(measure: Measure, latest: float | None, set_name: str = DEFAULT_COMPARATOR_SET,
          tolerance_pct: float = 5.0) -> Judgement:
    """The latest actual (``latest``) against the measure's comparator of set ``set_name``."""
    benchmark = measure.benchmark(set_name)
    name = benchmark.set if benchmark is not None else set_name
    if benchmark is None or benchmark.number is None or latest is None or measure.polarity not in ("High", "Low"):
        return Judgement(name, benchmark, None)
    c = benchmark.number
    gap = round(latest - c if measure.polarity == "High" else c - latest, 9)
    band = measure.tolerance if measure.tolerance is not None else tolerance_pct / 100 * abs(c)
    if abs(gap) <= round(band, 9):
        comparison = Comparison.SIMILAR
    else:
        comparison = Comparison.BETTER if gap > 0 else Comparison.WORSE
    return Judgement(name, benchmark, comparison, gap)


def judge_all(measure: Measure, latest: float | None, sets: tuple[str, ...],
              tolerance_pct: float = 5.0) -> tuple[Judgement, ...]:
    """One judgement per comparator set, in ``sets`` order (blank ones included, so columns line up)."""
    return tuple(judge(measure, latest, s, tolerance_pct) for s in sets)


def gap_words(judgement: Judgement) -> str:
    """``0.03 better`` / ``0.5 worse`` / ``""``: the size of the difference, for reasons and tooltips."""
    if judgement.gap is None or judgement.comparison is None:
        return ""
    return f"{format_number(round(abs(judgement.gap), 6))} {'better' if judgement.gap >= 0 else 'worse'}"

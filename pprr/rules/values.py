"""Cell values as officers really write them.

The raw text is kept for display; the number, a count in brackets, a period note and a missing-value reason are
parsed out of it. The same rules serve the workbook reader and the app's grid, so typing ``12.5%`` or
``Awaiting data`` in the app means exactly what it means in the workbook.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

from ..model import Target, TargetKind, Value
from ..schema import (
    COMPARATOR_WORDS,
    MAINTAIN_WORDS,
    MAXIMISE_WORDS,
    MINIMISE_WORDS,
    MISSING_WORDS,
    NO_TARGET_WORDS,
)


class UnreadableValue(ValueError):
    """A cell whose text is neither a number nor a recognised missing-value word. The message is for officers."""


_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_NUMBER = re.compile(r"^\s*([+-]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\s*\.\d+)\s*(%?)")
_COUNT = re.compile(r"\s*\(\s*(\d{1,3}(?:,\d{3})+|\d+)\s*\)")
_UNIT_WORDS = re.compile(r"\s*(?:days?|per\s+[\d,]+|pts?|points?)\b\.?", re.IGNORECASE)
_BRACKETED = re.compile(r"^\s*\(([^()]*)\)\s*")
_MISSING = {w.casefold(): w for w in MISSING_WORDS}
# The commonest forms, ``95.8``, ``95.8%`` and ``95.8% (258)``, read without the general rules below.
_PLAIN = re.compile(r"(-?\d+(?:\.\d+)?)(%?)(?: \((\d+)\))?")


def _words(words: tuple[str, ...]) -> set[str]:
    return {w.casefold() for w in words}


_MAX, _MIN, _MAINTAIN = _words(MAXIMISE_WORDS), _words(MINIMISE_WORDS), _words(MAINTAIN_WORDS)
_NO_TARGET, _COMPARATOR = _words(NO_TARGET_WORDS), _words(COMPARATOR_WORDS)


def percent_decimals(number_format: str | None) -> int | None:
    """Decimals shown by an Excel percentage format ('0.0%' -> 1), or None when the format is not a percentage."""
    if not number_format or "%" not in number_format:
        return None
    section = number_format.split(";")[0]
    before = section.split("%")[0]
    if "." not in before:
        return 0
    return sum(1 for ch in before.split(".", 1)[1] if ch in "0#?")


def format_number(number: float, decimals: int | None = None) -> str:
    """A number as an officer would write it: no exponent, no trailing zeros unless decimals are asked for."""
    if decimals is not None:
        return f"{number:.{decimals}f}"
    if float(number).is_integer():
        return str(int(number))
    text = f"{number:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


_BARE_NUMBER = re.compile(r"(^|\()(-?)(\d{4,})(\.\d+)?(?=$|[\s%)])")


def format_value(raw: str) -> str:
    """A value as the workbook wrote it, with thousands separators added to its bare numbers: ``1912`` ->
    ``1,912``, ``1551 (443)`` -> ``1,551 (443)``. Only a number that starts the text or stands in brackets is
    touched, so years and notes (``2018/19``, ``Spring Term 2019``) stay as written. The app and the packs show
    values through this one function."""
    text = "" if raw is None else str(raw).strip()
    return _BARE_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}{int(m.group(3)):,}{m.group(4) or ''}", text)


def _clean_float(x: float) -> float:
    return float(f"{x:.12g}")


def cell_text(cell: object) -> str:
    """Any cell value as the text an officer sees (numbers without exponent, dates as ISO)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (int, float)):
        return format_number(float(cell)) if math.isfinite(cell) else str(cell)
    if isinstance(cell, _dt.datetime):
        return cell.date().isoformat() if cell.time() == _dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, (_dt.date, _dt.time)):
        return cell.isoformat()
    return str(cell)


def parse_value(cell: object, number_format: str | None = None) -> Value:
    """Parse one actual (or any measure value) cell.

    ``cell`` is what the workbook holds: a number, text, None. ``number_format`` is the cell's Excel format: a
    number stored as 0.958 with a ``0.0%`` format is read as 95.8, as the officer sees it.
    Raises :class:`UnreadableValue` for text that is neither a number nor a missing-value word.
    """
    if cell is None:
        return Value("", missing="")
    if isinstance(cell, (bool, _dt.date, _dt.time)):
        raise UnreadableValue(f"'{cell_text(cell)}' is not a number")
    if isinstance(cell, (int, float)):
        number = float(cell)
        if not math.isfinite(number):
            raise UnreadableValue(f"'{cell}' is not a number")
        decimals = percent_decimals(number_format)
        if decimals is not None:
            shown = _clean_float(number * 100)
            return Value(format_number(shown, decimals) + "%", number=shown, percent=True)
        return Value(format_number(number), number=_clean_float(number))
    return parse_text(str(cell))


def parse_text(text: str) -> Value:
    """Parse a value typed as text: ``10.8% (258)``, ``222 (60) Q4``, ``Awaiting data``, ``12.5%``."""
    raw = text.strip()
    plain = _PLAIN.fullmatch(raw)
    if plain:
        number, percent, count = plain.groups()
        return Value(raw, number=_clean_float(float(number)), count=None if count is None else float(count),
                     percent=bool(percent))
    if not raw:
        return Value("", missing="")
    folded = " ".join(raw.split()).casefold()
    if folded in _MISSING:
        return Value(raw, missing=raw)
    clean = raw.translate(_MINUS)
    m = _NUMBER.match(clean)
    if not m:
        raise UnreadableValue(
            f"'{_short(raw)}' is not a number or a recognised missing-value word "
            f"(for example 12.5%, 0.33 (9) or {MISSING_WORDS[0]})"
        )
    number = _clean_float(float(m.group(1).replace(",", "").replace(" ", "")))
    percent = bool(m.group(2))
    # The translation maps one character to one, so positions in ``clean`` are positions in ``raw``.
    pos = m.end()
    count = None
    unit = _UNIT_WORDS.match(clean, pos)
    if unit:
        pos = unit.end()
    c = _COUNT.match(clean, pos)
    if c:
        count = float(c.group(1).replace(",", ""))
        pos = c.end()
    rest = raw[pos:].strip()
    b = _BRACKETED.match(rest)
    if b and not rest[b.end():].strip():
        rest = b.group(1).strip()
    if rest and re.match(r"^[+\-\u2212\u2013]?[\d.,]+\s*%?\s*(\(|$)", rest):
        raise UnreadableValue(
            f"'{_short(raw)}' holds more than one number; put each cohort on its own row with the Cohort column"
        )
    return Value(raw, number=number, count=count, period=rest or None, percent=percent)


def parse_target(cell: object, number_format: str | None = None) -> Target:
    """Parse a target: a number, a direction of travel (maximise / minimise / maintain), Comparator, or none."""
    if cell is None:
        return Target("", TargetKind.NONE)
    if isinstance(cell, str):
        raw = cell.strip()
        folded = " ".join(raw.split()).casefold()
        if folded in _NO_TARGET:
            return Target(raw, TargetKind.NONE)
        if folded in _MAX or "maximise" in folded or "maximize" in folded:
            return Target(raw, TargetKind.MAXIMISE)
        if folded in _MIN or "minimise" in folded or "minimize" in folded:
            return Target(raw, TargetKind.MINIMISE)
        if folded in _MAINTAIN or folded.startswith("maintain"):
            return Target(raw, TargetKind.MAINTAIN)
        if folded in _COMPARATOR or "comparator" in folded:
            return Target(raw, TargetKind.COMPARATOR)
    try:
        value = parse_value(cell, number_format)
    except UnreadableValue as exc:
        raise UnreadableValue(
            f"{exc}; a target is a number, 'Aim to maximise', 'Aim to minimise', 'Maintain performance', "
            "'Comparator' or 'N/A'"
        ) from None
    if value.number is None:
        return Target(value.raw, TargetKind.NONE)
    return Target(value.raw, TargetKind.NUMBER, number=value.number, percent=value.percent)


def parse_number(cell: object) -> float | None:
    """A plain number cell (money, tolerance, comparator): None when blank. Accepts '1,234', '(165)', '£1.2'."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise UnreadableValue(f"'{cell_text(cell)}' is not a number")
    if isinstance(cell, (int, float)):
        if not math.isfinite(float(cell)):
            raise UnreadableValue(f"'{cell}' is not a number")
        return float(cell)
    if isinstance(cell, (_dt.date, _dt.time)):
        raise UnreadableValue(f"'{cell_text(cell)}' is a date, not a number")
    text = str(cell).strip().translate(_MINUS)
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    core = text[1:-1] if negative else text
    core = core.replace("£", "").replace(",", "").replace(" ", "").rstrip("*")
    core = core.removesuffix("%")
    try:
        number = float(core)
    except ValueError:
        raise UnreadableValue(f"'{_short(str(cell))}' is not a number") from None
    if not math.isfinite(number):
        raise UnreadableValue(f"'{_short(str(cell))}' is not a number")
    return -number if negative else number


def parse_yes_no(cell: object) -> bool | None:
    """Y/Yes/True -> True, N/No/False/blank -> False; anything else None (unreadable)."""
    if cell is None:
        return False
    if isinstance(cell, bool):
        return cell
    text = str(cell).strip().casefold()
    if text in ("y", "yes", "true", "1"):
        return True
    if text in ("n", "no", "false", "0", ""):
        return False
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

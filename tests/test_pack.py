"""The committee pack, read back with pypdf: contents, counts, money, bookmarks, escaping, options."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table

from pprr.model import (
    BudgetChange,
    BudgetLine,
    CapitalScheme,
    GlossaryEntry,
    Measure,
    Portfolio,
    PortfolioWorkbook,
    Priority,
    Reserve,
    Saving,
)
from pprr.report.pack import SECTIONS, PackOptions, build_pack, scenario_key
from pprr.report.pdf_style import CELL_LIMIT, CHUNK_ROWS, TRUNCATED, LongTable, Plain, grid
from pprr.rules import finance
from pprr.rules.status import Settings, Status, count_statuses, rate_measures, settings_for
from pprr.rules.values import parse_target, parse_text

HOSTILE = 'R&D <b>improved</b> a < b & c <img src="/etc/passwd"/> <font size=1 color=white>hidden</font>'


def _measure(code: str, priority: int, actuals: tuple[str, str], target: str, polarity: str = "High",
             commentary: str = "", cohort: str = "") -> Measure:
    return Measure(row=2, code=code, cohort=cohort, name=f"Name of {code}", priority=priority,
                   measure_type="Council", reported="Annually", polarity=polarity,
                   actuals=(("2019/20", parse_text(actuals[0])), ("2020/21", parse_text(actuals[1]))),
                   target=parse_target(target), commentary=commentary)


MEASURES = (
    _measure("GRN.1", 1, ("40%", "52%"), "50%", commentary="Going well."),
    _measure("RED.1", 1, ("30", "20"), "50", commentary=HOSTILE),
    _measure("AMB.1", 1, ("9.1%", "9.8%"), "9.5%", polarity="Low"),
    _measure("NOD.1", 2, ("N/A", "Awaiting data"), "10"),
    _measure("CTX.1", 2, ("1", "2"), "N/A", polarity="Contextual"),
    _measure("RED.2", 2, ("0.1", "-0.8"), "-0.53", cohort="SEN Support", commentary="Needs work."),
)

WORKBOOK = PortfolioWorkbook(
    portfolio=Portfolio(council="Test Council", portfolio="Children and Education", financial_year="2021/22",
                        reporting_period="Q3 Update", version="2", date="1 March 2022", approved_by="Cabinet"),
    priorities=(Priority(2, 1, "Start well", "Children ready for school", HOSTILE),
                Priority(3, 2, "Attainment & engagement", "", "")),
    measures=MEASURES,
    budget=(
        BudgetLine(2, "Adoption", "Children", 3664, 1029, 4693, -4636, 57, 80),
        BudgetLine(3, "Fostering", "Children", 1314, 9146, 10460, -30, 10430, 10300),
        BudgetLine(4, "School Improvement", "Education", 1729, 628, 2358, -2523, -165, -160),
    ),
    budget_changes=(
        BudgetChange(2, "Budget at Q3", "Opening", (("Children", 10400.0), ("Education", -150.0))),
        BudgetChange(3, "Demand", "Contingency", (("Children", 88.0), ("Education", -15.0))),
    ),
    budget_divisions=("Children", "Education"),
    reserves=(Reserve(2, "Education", "Strategic", "Traded", "Music", 97.0),
              Reserve(3, "Children", "Corporate", "Third party", "Partnership", 181.0, not_drawn_down=True)),
    savings=(Saving(2, "Children", "Demand reduction", "Amber", 0.070, 0.055, "Slipping"),),
    capital=(CapitalScheme(2, "Short breaks", "Adaptations", (("2021/22", 0.0), ("2022/23", 24.0)), "Grant"),),
    glossary=(GlossaryEntry(2, "SEND", "Special Educational Needs and Disability"),),
)


def _read(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def _outline_titles(reader: PdfReader) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title
    return list(walk(reader.outline))


def _flat(pages: list[str]) -> str:
    """The pages' text with every run of white space made one space (table cells extract one per line)."""
    return " ".join(" ".join(pages).split())


def _printed_counts(pages: list[str]) -> list[int]:
    """The All priorities row of the summary's counts: one number per status present, then the total."""
    summary = next(page for page in pages if "All priorities" in page)
    found = re.search(r"All priorities((?: \d+)+)", _flat([summary]))
    return [int(n) for n in found.group(1).split()]


def _present(counts: dict) -> list[int]:
    return [n for n in counts.values() if n]


def _has_code(text: str, code: str) -> bool:
    return re.search(re.escape(code) + r"(?![\w.(])", text) is not None


@pytest.fixture(scope="module")
def small() -> tuple[PdfReader, list[str]]:
    return _read(build_pack(WORKBOOK))


def test_every_measure_code_appears(small):
    text = "\n".join(small[1])
    for measure in MEASURES:
        assert _has_code(text, measure.code)
    assert "RED.2 SEN Support" in text


def test_status_counts_printed_equal_the_model(small):
    counts = count_statuses(rate_measures(MEASURES, Settings()))
    assert counts[Status.RED] == 2 and counts[Status.NO_DATA] == 1
    assert _printed_counts(small[1]) == [*_present(counts), len(MEASURES)]


def test_budget_total_printed_equals_the_computed_total(small):
    total = finance.budget_total(WORKBOOK)
    assert (total["net_budget"], total["forecast"], total["variance"]) == (10322, 10220, -102)
    finance_text = _flat([page for page in small[1] if "Revenue budget" in page])
    row = " ".join(finance.format_money(total[c]) for c in ("net_budget", "forecast", "variance"))
    assert row == "10,322 10,220 (102)"
    assert f"{row} (1.0%)" in finance_text  # the total's percentage, in brackets as every negative
    assert "(165)" in finance_text  # a negative budget in brackets


def test_outline_has_every_section_and_priority(small):
    titles = _outline_titles(small[0])
    for title in ("Cover", "Contents", "Summary", "Exceptions (2)", "Performance by priority",
                  "Priority 1: Start well", "Priority 2: Attainment & engagement", "Finance",
                  "Cash-limit reconciliation (£000)", "Savings programme (£000)", "Status key and glossary",
                  "Glossary"):
        assert title in titles


def test_contents_page_numbers_match_the_bookmarks(small):
    reader, pages = small
    contents = next(page for page in pages if "Contents" in page)
    printed = [int(n) for n in re.findall(r"(?:\. *)+(\d+)", contents)]

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            elif item.title not in ("Cover", "Contents"):
                yield reader.get_destination_page_number(item) + 1
    assert printed == list(walk(reader.outline))
    assert all(title in contents for title in ("Summary", "Priority 2: Attainment & engagement", "Finance"))


def test_commentary_with_markup_prints_as_typed(small):
    text = "\n".join(small[1])
    flat = " ".join(text.split())
    assert " ".join(HOSTILE.split()) in flat
    assert text.count('<img src="/etc/passwd"/>') >= 2  # priority commentary, the exception's commentary


def test_every_page_has_header_footer_and_page_x_of_y(small):
    pages = small[1]
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Children and Education · Q3 Update 2021/22" in page
        assert "1 March 2022" in page  # the document's date, not the day it was generated
        assert "ILLUSTRATIVE FIGURES" not in page and "SCENARIO" not in page


def test_fonts_are_embedded_and_symbols_survive(small):
    reader, pages = small
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[2]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in f for f in fonts)
    text = "\n".join(pages)
    for symbol in ("£000", "−", "✓ Green", "✗ Red", "↑", "↓", "◆ Contextual"):
        assert symbol in text


def test_key_quotes_the_status_rules_and_savings_definitions(small):
    text = _flat(small[1])
    assert "good confidence (90% plus)" in text
    assert "otherwise 5% of the target" in text
    assert "Special Educational Needs and Disability" in text


def test_illustrative_mark_on_every_page():
    wb = dataclasses.replace(WORKBOOK, portfolio=dataclasses.replace(WORKBOOK.portfolio, illustrative=True))
    _, pages = _read(build_pack(wb))
    assert all("ILLUSTRATIVE FIGURES" in page for page in pages)


def test_scenario_targets_rate_and_mark_every_page():
    options = PackOptions(scenario_targets={scenario_key(MEASURES[1]): "15"})
    _, pages = _read(build_pack(WORKBOOK, options))
    assert all("SCENARIO" in page for page in pages)
    assert _printed_counts(pages)[:3] == [2, 1, 1]  # RED.1 now beats its what-if target of 15: G 2, A 1, R 1


@pytest.mark.parametrize("targets", [{"NOPE|": "10"}, {scenario_key(MEASURES[0]): "ten and a bit"}])
def test_bad_scenario_targets_are_refused_with_a_message(targets):
    with pytest.raises(ValueError, match="Scenario target"):
        build_pack(WORKBOOK, PackOptions(scenario_targets=targets))


def test_priority_selection():
    reader, pages = _read(build_pack(WORKBOOK, PackOptions(priorities=(2,))))
    text = "\n".join(pages)
    for measure in MEASURES:
        assert _has_code(text, measure.code) == (measure.priority == 2)
    titles = _outline_titles(reader)
    assert "Priority 2: Attainment & engagement" in titles and "Priority 1: Start well" not in titles


def test_exceptions_only_sets_each_red_measure_out_once():
    reader, pages = _read(build_pack(WORKBOOK, PackOptions(exceptions_only=True)))
    text = _flat(pages)
    for measure in MEASURES:
        assert text.count(f"{measure.label} · {measure.name} · Red") == (1 if measure.code.startswith("RED") else 0)
    titles = _outline_titles(reader)
    assert "Exceptions (2)" in titles and "Performance by priority" not in titles
    assert not any("Actuals by year" in page for page in pages)  # no measure tables


def test_unknown_priority_or_section_is_refused():
    with pytest.raises(ValueError, match="Priority 9"):
        build_pack(WORKBOOK, PackOptions(priorities=(9,)))
    with pytest.raises(ValueError, match="appendix"):
        build_pack(WORKBOOK, PackOptions(sections=("appendix",)))


def test_section_selection():
    reader, pages = _read(build_pack(WORKBOOK, PackOptions(sections=("finance",))))
    assert _outline_titles(reader)[0] == "Finance"
    assert not any("Status of measures" in page for page in pages)
    assert not any(_has_code(page, "GRN.1") for page in pages)
    assert set(SECTIONS) == {"cover", "contents", "summary", "exceptions", "priorities", "finance", "key"}


def test_progress_is_reported_up_to_done():
    seen = []
    build_pack(WORKBOOK, progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(message, str) and message for _, message in seen)


def test_pathological_text_splits_across_pages_and_is_capped():
    one_block = "word " * 8_000  # 40,000 characters with no paragraph break
    many_blocks = "\n\n".join(f"Paragraph {i}: " + "text " * 20 for i in range(120))
    measures = (dataclasses.replace(MEASURES[1], commentary=one_block, name="Long name " * 400),
                dataclasses.replace(MEASURES[0], commentary=many_blocks))
    wb = dataclasses.replace(WORKBOOK, measures=measures, priorities=WORKBOOK.priorities[:1])
    _, pages = _read(build_pack(wb, PackOptions(sections=("priorities",))))
    text = _flat(pages)
    assert TRUNCATED in text
    assert "Paragraph 119:" in text
    assert len(pages) > 5


def _grid_rows(n: int) -> list[list]:
    return [[Plain(("Code", "cell_head")), Plain(("Value", "cell_head_right"))]] + [
        [Plain((f"M.{i}", "cell")), Plain((str(i), "cell_right"))] for i in range(n)]


def _codes(table: Table) -> list[str]:
    cells = [row[0][0] if isinstance(row[0], (list, tuple)) else row[0] for row in table._cellvalues]
    return [cell.lines[0][0] for cell in cells]


def _filled(table: Table, colour: str) -> list[tuple[str, int]]:
    """(code of the row, column) of each cell ``table`` fills with ``colour``."""
    codes = _codes(table)
    return [(codes[start[1]], start[0]) for _, start, _, fill in table._bkgrndcmds if fill == HexColor(colour)]


def test_a_long_table_splits_into_page_sized_tables_with_the_header_on_each():
    table = grid(_grid_rows(3 * CHUNK_ROWS + 7), [60, 40], fills={(1, 5): "#FF0000"}, bold_rows=(3 * CHUNK_ROWS,))
    assert isinstance(table, LongTable)
    table.canv = Canvas(io.BytesIO())
    height = table.wrap(100, 500)[1]
    parts, rest = [], table
    while isinstance(rest, LongTable):
        rest.canv = table.canv
        first, *more = rest.split(100, 300)
        assert first.wrapOn(table.canv, 100, 300)[1] <= 300
        parts.append(first)
        rest = more[0] if more else None
    assert len(parts) > 2
    assert all(_codes(part)[0] == "Code" for part in parts)  # the header is repeated
    assert [c for part in parts for c in _codes(part)[1:]] == [f"M.{i}" for i in range(3 * CHUNK_ROWS + 7)]
    header = parts[0]._rowHeights[0]
    assert sum(part._height for part in parts) == pytest.approx(height + header * (len(parts) - 1))
    assert [f for part in parts for f in _filled(part, "#FF0000")] == [("M.4", 1)]  # fills stay on their rows
    assert [f for part in parts for f in _filled(part, "#F2F2F2")] == [(f"M.{3 * CHUNK_ROWS - 1}", 0)]


def test_a_table_never_leaves_one_row_alone_on_a_page():
    table = grid(_grid_rows(10), [60, 40])
    table.canv = Canvas(io.BytesIO())
    head, body = table._measure(100)
    assert table.split(100, head + body[0] * 1.5) == []  # one row would sit alone at the foot: start anew
    first, rest = table.split(100, head + sum(body[:9]) + 1)  # nine rows fit: eight go, two carry over
    assert len(_codes(first)) - 1 == 8 and rest.first == 8


def test_a_long_priority_prints_every_measure_once_in_order_with_the_header_on_every_page():
    measures = tuple(dataclasses.replace(MEASURES[i % 3], code=f"BIG.{i}", commentary="") for i in range(150))
    wb = dataclasses.replace(WORKBOOK, measures=measures, priorities=WORKBOOK.priorities[:1])
    _, pages = _read(build_pack(wb, PackOptions(sections=("priorities",))))
    found = [int(n) for n in re.findall(r"BIG\.(\d+)", " ".join(pages))]
    assert found == list(range(150))
    table_pages = [page for page in pages if "BIG." in page]
    assert len(table_pages) > 3 and all("Actuals by year" in page and "Status" in page for page in table_pages)


@pytest.mark.parametrize("text, printed", [
    (HOSTILE, " ".join(HOSTILE.split())),  # markup in a cell prints as typed
    ("Adoption\tand   fostering\n teams", "Adoption and fostering teams"),  # white space as in a Paragraph
    ("Children's services " * 60, TRUNCATED),  # too long for a cell: wrapped and cut
])
def test_plain_cells_print_text_as_typed(text, printed):
    line = dataclasses.replace(WORKBOOK.budget[0], service=text)
    wb = dataclasses.replace(WORKBOOK, budget=(line, *WORKBOOK.budget[1:]))
    _, pages = _read(build_pack(wb, PackOptions(sections=("finance",))))
    assert printed in _flat(pages)
    assert len(text) < CELL_LIMIT or text[:CELL_LIMIT] not in _flat(pages)


def test_empty_workbook_still_builds():
    _, pages = _read(build_pack(PortfolioWorkbook()))
    assert "No measure is rated Red." in "\n".join(pages)


# The bundled sample ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def q3_pack(q3) -> tuple[PdfReader, list[str]]:
    return _read(build_pack(q3))


def test_sample_pack_has_every_code_the_counts_and_the_total(q3, q3_pack):
    pages = q3_pack[1]
    text = "\n".join(pages)
    assert all(_has_code(text, m.code) for m in q3.measures)
    counts = count_statuses(rate_measures(q3.measures, settings_for(q3)))
    assert _printed_counts(pages) == [*_present(counts), len(q3.measures)]
    total = finance.budget_total(q3)
    row = " ".join(finance.format_money(total[c]) for c in ("net_budget", "forecast", "variance"))
    assert row in _flat(pages)


def test_sample_pack_is_marked_illustrative_and_of_plausible_length(q3, q3_pack):
    reader, pages = q3_pack
    assert 20 <= len(pages) <= 70
    assert all("ILLUSTRATIVE FIGURES" in page for page in pages)
    titles = _outline_titles(reader)
    assert all(f"Priority {p.number}: {p.title}" in titles for p in q3.priorities)


@pytest.mark.parametrize("widths", [(0, 30), (0, 22, 0), (40, 0, 0, 40), (0, 22, 24, 24, 24, 24, 24, 24, 24), (80, 80, 80)])
def test_table_columns_always_fit_the_page(widths):
    from pprr.report.pack import MIN_FLEXIBLE, column_widths
    from pprr.report.pdf_style import CONTENT_W

    got = column_widths(widths)
    assert sum(got) == pytest.approx(CONTENT_W)
    assert all(w >= MIN_FLEXIBLE - 1e-6 for w, given in zip(got, widths) if not given)

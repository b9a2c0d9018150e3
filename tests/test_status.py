"""The status (RAG) and trend rules, table-driven, with the seed agreement's own hard cases."""

import pytest

from pprr.model import Measure
from pprr.rules.status import (
    STATUS_ORDER,
    STATUS_STYLES,
    Settings,
    Status,
    Trend,
    budget_rag,
    count_statuses,
    rate_measure,
    rate_measures,
    rerate,
    status_key,
    trend_between,
)
from pprr.rules.values import parse_target, parse_value

YEARS = ("2018/19", "2019/20", "2020/21", "2021/22")


def measure(actuals, target, polarity="High", tolerance=None, comparator=None):
    return Measure(
        row=2, code="T.1", cohort="", name="test", priority=1, measure_type="Council", reported="Annually",
        polarity=polarity, tolerance=tolerance, comparator=comparator,
        actuals=tuple(zip(YEARS, (parse_value(a) for a in actuals))),
        target=parse_target(target),
    )


@pytest.mark.parametrize(
    "case, actuals, target, polarity, expected",
    [
        # From the seed agreement
        ("CFSE.17(iii) negative target", ["-0.8", None, None], -0.53, "High", Status.RED),
        ("CFSE.13 Writing zero target", ["0.1", None, None], 0.0, "High", Status.GREEN),
        ("CFSE.1 low is good", ["10.8% (258)", "9.1% (248)", None], "9.5%", "Low", Status.GREEN),
        ("CFSE.5 within 5%", ["103.1% (Spring Term 18)", "98% (Spring Term 19)", "Awaiting data"], "99.0%", "High",
         Status.AMBER),
        ("CFSE.8 aim to maximise, fell", ["96%", "95%", "N/A"], "Aim to maximise", "High", Status.AMBER),
        ("CSFE.45 contextual", ["320.1 (2015)", "353.5 (2232)", "Awaiting data"], "N/A", "Contextual",
         Status.CONTEXTUAL),
        # The rules one by one
        ("exactly on target", ["50"], 50, "High", Status.GREEN),
        ("low is good, above target within 5%", ["10.4"], 10, "Low", Status.AMBER),
        ("low is good, far above", ["12"], 10, "Low", Status.RED),
        ("amber edge is amber", ["95"], 100, "High", Status.AMBER),
        ("just past amber edge", ["94.9"], 100, "High", Status.RED),
        ("zero target, no tolerance, miss", ["-0.1"], 0, "High", Status.RED),
        ("negative target met", ["-0.4"], -0.53, "High", Status.GREEN),
        ("no target", ["50"], "N/A", "High", Status.CONTEXTUAL),
        ("no actual at all", [None, None, None], 50, "High", Status.NO_DATA),
        ("only missing words", ["Awaiting data", "N/A"], 50, "High", Status.NO_DATA),
        ("to minimise, fell", ["20", "18"], "To minimise", "High", Status.GREEN),
        ("to minimise, rose a lot", ["20", "25"], "To minimise", "High", Status.RED),
        ("maintain, low polarity, rose slightly", ["10", "10.3"], "Maintain performance", "Low", Status.AMBER),
        ("maximise without earlier value", ["40"], "Aim to maximise", "High", Status.NO_DATA),
        ("latest is right-most with a number", ["60", "40", "Awaiting data"], 50, "High", Status.RED),
    ],
)
def test_rag_rules(case, actuals, target, polarity, expected):
    assert rate_measure(measure(actuals, target, polarity)).status is expected, case


def test_measure_tolerance_overrides_percentage():
    assert rate_measure(measure(["97"], 100, tolerance=3)).status is Status.AMBER
    assert rate_measure(measure(["97"], 100, tolerance=2)).status is Status.RED
    assert rate_measure(measure(["-0.1"], 0, tolerance=0.2)).status is Status.AMBER


def test_portfolio_tolerance_percentage_applies():
    m = measure(["93"], 100)
    assert rate_measure(m, Settings(tolerance_pct=5)).status is Status.RED
    assert rate_measure(m, Settings(tolerance_pct=10)).status is Status.AMBER


def test_comparator_target_uses_comparator_column():
    assert rate_measure(measure(["60"], "Comparator", comparator=55)).status is Status.GREEN
    assert rate_measure(measure(["50"], "Comparator", comparator=55)).status is Status.RED
    assert rate_measure(measure(["50"], "Comparator")).status is Status.NO_DATA


def test_reason_reads_as_a_sentence():
    r = rate_measure(measure(["10.8% (258)", "9.1% (248)"], "9.5%", "Low"))
    assert r.reason == "9.1% (2019/20) vs target 9.5% (low is good): on target"
    r = rate_measure(measure(["98%"], "99.0%"))
    assert "within tolerance" in r.reason and "1 pt" in r.reason
    assert "Awaiting data" in rate_measure(measure(["Awaiting data"], 50)).reason


@pytest.mark.parametrize(
    "latest, previous, polarity, trend, direction",
    [
        (9.1, 10.8, "Low", Trend.IMPROVING, "down"),
        (95, 96, "High", Trend.DECLINING, "down"),
        (100.4, 100, "High", Trend.STABLE, "flat"),
        (100.6, 100, "High", Trend.IMPROVING, "up"),
        (0, 0, "High", Trend.STABLE, "flat"),
        (1, 0, "Low", Trend.DECLINING, "up"),
        (353.5, 320.1, "Contextual", Trend.UP, "up"),
        (2, 3, "Contextual", Trend.DOWN, "down"),
    ],
)
def test_trend(latest, previous, polarity, trend, direction):
    assert trend_between(latest, previous, polarity) == (trend, direction)


def test_no_trend_without_an_earlier_value():
    r = rate_measure(measure(["50"], 40))
    assert r.trend is None and r.arrow == ""


@pytest.mark.parametrize(
    "net, forecast, expected",
    [
        (1000, 1000, Status.GREEN),
        (1000, 900, Status.GREEN),
        (1000, 1040, Status.AMBER),
        (1000, 1050, Status.RED),  # 5% of 1,000 = 50 < 100
        (7594, 7690, Status.AMBER),  # 96 < min(379.7, 100)
        (7594, 7694, Status.RED),  # 100 = £100k
        (-2348, -2300, Status.AMBER),  # negative budget: 5% of |net| = 117.4 -> threshold 100
        (0, 1, Status.RED),
        (1000, None, Status.NO_DATA),
    ],
)
def test_budget_rag(net, forecast, expected):
    assert budget_rag(net, forecast) is expected


def test_every_status_has_words_symbol_and_colours():
    assert set(STATUS_STYLES) == set(Status)
    symbols = {s.symbol for s in STATUS_STYLES.values()}
    assert len(symbols) == len(Status), "each status must be told apart without colour"
    for style in STATUS_STYLES.values():
        assert style.label and style.meaning and style.colour.startswith("#") and style.fill.startswith("#")


def test_count_statuses_lists_every_status_in_order():
    counts = count_statuses([Status.RED, Status.RED, Status.GREEN])
    assert list(counts) == list(STATUS_ORDER)
    assert counts[Status.RED] == 2 and counts[Status.AMBER] == 0


def test_status_key_quotes_the_tolerance_in_force():
    key = dict(status_key(Settings(tolerance_pct=7.5)))
    assert "7.5%" in key[Status.AMBER]


def test_reason_says_when_the_latest_number_is_from_an_earlier_year():
    r = rate_measure(measure(["0.6%", "0.5%", "N/A", "Awaiting data"], "0.3%", "Low"))
    assert r.latest_year == "2019/20"
    assert r.reason.startswith("0.5% (2019/20; Awaiting data (2021/22)) vs target 0.3%")


def _random_edits(wb, rng, count):
    """``count`` random edits of the sample's in-year and earlier actuals, targets and commentary."""
    from pprr.year.edits import editable_fields, make_edit

    texts = ["55.5%", "12", "0.4", "Awaiting data", "", "N/A", "Aim to maximise", "98% (Spring Term 19)", "-0.8"]
    edits = []
    for _ in range(count):
        measure = rng.choice(wb.measures)
        field = rng.choice(editable_fields(wb, "Measures"))
        text = "Noted." if field == "Commentary" else rng.choice(texts)
        if "Target" not in field and text == "Aim to maximise":
            text = "7"
        edits.append(make_edit(wb, "Measures", measure.row, field, text))
    return edits


@pytest.mark.parametrize("seed", range(12))
def test_rerate_after_random_edits_equals_rating_everything(q3, seed):
    import random

    from pprr.year.edits import apply_edits

    rng = random.Random(seed)
    settings = Settings(tolerance_pct=q3.portfolio.tolerance_pct)
    before, ratings = q3, rate_measures(q3.measures, settings)
    for _ in range(4):
        after = apply_edits(before, _random_edits(before, rng, rng.randint(1, 3)))
        ratings = rerate(before, ratings, after, settings)
        assert ratings == rate_measures(after.measures, settings)
        before = after


def test_rerate_rates_again_only_the_measures_that_changed(q3):
    from pprr.year.edits import apply_edits, make_edit

    settings = Settings(tolerance_pct=q3.portfolio.tolerance_pct)
    ratings = rate_measures(q3.measures, settings)
    edited = q3.measures[3]
    after = apply_edits(q3, [make_edit(q3, "Measures", edited.row, "2021/22 Actual", "0")])
    fresh = rerate(q3, ratings, after, settings)
    assert [i for i, (old, new) in enumerate(zip(ratings, fresh, strict=True)) if old is not new] == [3]


@pytest.mark.parametrize("change", ["tolerance", "new year", "measure removed"])
def test_rerate_rates_everything_again_when_every_measure_may_have_moved(change):
    import dataclasses

    from pprr.model import Portfolio, PortfolioWorkbook

    measures = (measure(["50", "60"], 62), measure(["93"], 100))
    before = PortfolioWorkbook(portfolio=Portfolio(tolerance_pct=5.0), measures=measures, actual_years=YEARS[:2])
    after = {
        "tolerance": dataclasses.replace(before, portfolio=Portfolio(tolerance_pct=10.0)),
        "new year": dataclasses.replace(before, actual_years=YEARS[:3]),
        "measure removed": dataclasses.replace(before, measures=measures[:1]),
    }[change]
    settings = Settings(tolerance_pct=after.portfolio.tolerance_pct)
    stale = (rate_measure(measures[0], Settings(tolerance_pct=0)), rate_measure(measures[1], Settings(tolerance_pct=0)))
    assert rerate(before, stale, after, settings) == rate_measures(after.measures, settings)

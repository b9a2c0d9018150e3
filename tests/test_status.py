"""The status (RAG) and trend rules, table-driven, with the seed agreement's own hard cases."""

import pytest

from pprr.model import Measure
from pprr.rules.status import (
    STATUS_ORDER,
    STATUS_STYLES,
    TREND_COLOURS,
    TREND_KEY,
    Settings,
    Status,
    Trend,
    budget_rag,
    count_statuses,
    history_text,
    rate_measure,
    rate_measures,
    rerate,
    settings_for,
    status_key,
    trend_between,
)
from pprr.rules.status import history as measure_history
from pprr.rules.values import parse_target, parse_value

YEARS = ("2018/19", "2019/20", "2020/21", "2021/22")


def measure(actuals, target, polarity="High", tolerance=None, comparator=None, **more):
    return Measure(
        row=2, code="T.1", cohort="", name="test", priority=1, measure_type="Council", reported="Annually",
        polarity=polarity, tolerance=tolerance, comparator=comparator,
        actuals=tuple(zip(YEARS, (parse_value(a) for a in actuals))),
        target=parse_target(target), **more,
    )


AT_Q3 = Settings(financial_year="2021/22", reporting_period="Q3 Update")


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
    settings = settings_for(q3)
    before, ratings = q3, rate_measures(q3.measures, settings)
    for _ in range(4):
        after = apply_edits(before, _random_edits(before, rng, rng.randint(1, 3)))
        ratings = rerate(before, ratings, after, settings)
        assert ratings == rate_measures(after.measures, settings)
        before = after


def test_rerate_rates_again_only_the_measures_that_changed(q3):
    from pprr.year.edits import apply_edits, make_edit

    settings = settings_for(q3)
    ratings = rate_measures(q3.measures, settings)
    edited = q3.measures[3]
    after = apply_edits(q3, [make_edit(q3, "Measures", edited.row, "2021/22 Actual", "0")])
    fresh = rerate(q3, ratings, after, settings)
    assert [i for i, (old, new) in enumerate(zip(ratings, fresh, strict=True)) if old is not new] == [3]


@pytest.mark.parametrize("change", ["tolerance", "new year", "measure removed", "financial year", "reporting period",
                                    "out of date after"])
def test_rerate_rates_everything_again_when_every_measure_may_have_moved(change):
    import dataclasses

    from pprr.model import Portfolio, PortfolioWorkbook

    measures = (measure(["50", "60"], 62), measure(["93"], 100))
    before = PortfolioWorkbook(portfolio=Portfolio(tolerance_pct=5.0), measures=measures, actual_years=YEARS[:2])
    after = {
        "financial year": dataclasses.replace(before, portfolio=Portfolio(financial_year="2021/22")),
        "reporting period": dataclasses.replace(before, portfolio=Portfolio(reporting_period="Mid-Year")),
        "out of date after": dataclasses.replace(before, portfolio=Portfolio(out_of_date_after=3)),
        "tolerance": dataclasses.replace(before, portfolio=Portfolio(tolerance_pct=10.0)),
        "new year": dataclasses.replace(before, actual_years=YEARS[:3]),
        "measure removed": dataclasses.replace(before, measures=measures[:1]),
    }[change]
    settings = settings_for(after)
    stale = (rate_measure(measures[0], Settings(tolerance_pct=0)), rate_measure(measures[1], Settings(tolerance_pct=0)))
    assert rerate(before, stale, after, settings) == rate_measures(after.measures, settings)


# --- Out of date ---------------------------------------------------------------------------------------------------


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("status", list(Status))
def test_every_status_colour_reads_at_aa_contrast(status):
    style = STATUS_STYLES[status]
    assert _contrast(style.text, style.fill) >= 4.5
    assert _contrast("#FFFFFF", style.colour) >= 4.5


def test_out_of_date_has_its_own_word_symbol_and_colours_never_green_or_red():
    style = STATUS_STYLES[Status.OUT_OF_DATE]
    assert (style.label, style.symbol) == ("Out of date", "◷")
    others = [STATUS_STYLES[s] for s in Status if s is not Status.OUT_OF_DATE]
    assert style.colour not in {o.colour for o in others} and style.fill not in {o.fill for o in others}
    red, green, colour = int(style.colour[1:3], 16), int(style.colour[3:5], 16), int(style.colour[5:7], 16)
    assert colour > green and red > green  # purple: neither the green nor the red family
    assert Status.OUT_OF_DATE in dict(status_key()) and "never an exception" in dict(status_key())[Status.OUT_OF_DATE]


@pytest.mark.parametrize(
    ("actuals", "settings", "lag", "status", "would_be"),
    [
        (["1%", "N/A", "N/A", "N/A"], AT_Q3, None, Status.OUT_OF_DATE, Status.RED),  # 2018/19 at 2021/22
        (["1%", "2%", "N/A", "N/A"], AT_Q3, None, Status.OUT_OF_DATE, Status.RED),  # 2019/20: two years old
        (["1%", "2%", "2.5%", "N/A"], AT_Q3, None, Status.AMBER, None),  # 2020/21 is the latest available
        (["1%", "2%", "N/A", "N/A"], AT_Q3, 1, Status.RED, None),  # published a year late: current
        (["1%", "N/A", "N/A", "N/A"], Settings(financial_year="2021/22", out_of_date_after=3), None, Status.RED,
         None),
        (["1%", "N/A", "N/A", "N/A"], Settings(), None, Status.RED, None),  # no report year: nothing is old
        (["4%", "N/A", "N/A", "N/A"], AT_Q3, None, Status.OUT_OF_DATE, Status.GREEN),
    ],
)
def test_out_of_date(actuals, settings, lag, status, would_be):
    r = rate_measure(measure(actuals, "2.6%", data_lag=lag), settings)
    assert (r.status, r.would_be, r.out_of_date) == (status, would_be, status is Status.OUT_OF_DATE)


def test_out_of_date_reason_says_what_it_was_and_how_it_would_rate():
    r = rate_measure(measure(["1%", "N/A", "N/A", "N/A"], "3%"), AT_Q3)
    assert r.reason == "1% (2018/19) would be Red against a target of 3%; no data since (2021/22: N/A)"
    r = rate_measure(measure(["1%", "", "", ""], "3%", year_basis="Academic"), AT_Q3)
    assert r.reason == "1% (2018/19 academic) would be Red against a target of 3%; no data since"
    r = rate_measure(measure(["320.1", "Awaiting data"], "N/A", "Contextual"), AT_Q3)
    assert (r.status, r.would_be) == (Status.OUT_OF_DATE, Status.CONTEXTUAL)
    assert r.reason == ("320.1 (2018/19): contextual measure, not rated; no data since (2019/20: Awaiting data)")


# --- Periods, pro rata and like-for-like trends -------------------------------------------------------------------


def test_a_cumulative_part_year_value_is_rated_against_the_target_pro_rata():
    on = rate_measure(measure(["", "", "", "480 Q1-Q2"], "1,000", "Low", aggregation="Cumulative"), AT_Q3)
    assert on.status is Status.GREEN and on.compared_with == 500
    off = rate_measure(measure(["", "", "", "540 Q1-Q2"], "1,000", "Low", aggregation="Cumulative"), AT_Q3)
    assert off.status is Status.RED
    assert off.reason == ("540 for Q1-Q2 against 500 pro rata of a full-year target of 1,000 (2021/22 Q1-Q2; low "
                          "is good): 40 off, beyond tolerance of 25")
    # Its own Tolerance is for the full year, and scales the same way.
    scaled = rate_measure(measure(["", "", "", "540 Q1-Q2"], "1,000", "Low", tolerance=100,
                                  aggregation="Cumulative"), AT_Q3)
    assert scaled.status is Status.AMBER and "within tolerance of 50" in scaled.reason
    # A snapshot (a rate) for part of the year is compared with the target as it stands.
    rate = rate_measure(measure(["", "", "", "540 Q1-Q2"], "1,000", "Low"), AT_Q3)
    assert rate.status is Status.GREEN and rate.compared_with == 1000


def test_a_cumulative_value_with_no_note_covers_the_year_to_date():
    r = rate_measure(measure(["", "", "", "720"], "1,000", "High", aggregation="Cumulative"), AT_Q3)
    assert r.latest_label == "2021/22 Q1-Q3" and r.compared_with == 750 and r.status is Status.AMBER


def test_cfse32_858_for_q1_q2_is_rated_pro_rata_of_the_full_year_before():
    m = measure(["1,551 (443)", "858 (245) Q1 and Q2 2019/20", ""], "Aim to minimise", "Low",
                aggregation="Cumulative")
    r = rate_measure(m, Settings(financial_year="2019/20"))
    assert r.status is Status.RED and r.compared_with == pytest.approx(775.5)
    assert r.reason.startswith("858 for Q1-Q2 against 776 pro rata of a full-year 1,551 (2019/20 Q1-Q2 against "
                               "2018/19; aim to minimise): ")
    # Two years on, the same figure is out of date, and says how it would rate.
    old = rate_measure(m, AT_Q3)
    assert (old.status, old.would_be) == (Status.OUT_OF_DATE, Status.RED)
    assert old.reason == ("858 (2019/20 Q1-Q2) would be Red against 776 pro rata of a full-year 1,551 (2018/19); "
                          "no data since")


@pytest.mark.parametrize(
    ("actuals", "aggregation", "trend", "reason"),
    [
        (["98% (Spring Term 18)", "97% (Spring Term 19)", "", "96% (Autumn Term 21)"], "Snapshot",
         Trend.NOT_COMPARABLE, ("96% (Autumn Term 2021) and 97% (Spring Term 2019) cover different periods; no "
                               "earlier figure for the same kind of period")),
        (["95% (Spring Term 18)", "96% (Autumn Term 19)", "", "97% (Spring Term 22)"], "Snapshot", Trend.IMPROVING,
         "97% (Spring Term 2022) against 95% (Spring Term 2018)"),
        (["1,850", "2,408", "", "1,912"], "Cumulative", Trend.NOT_COMPARABLE,
         ("1,912 (2021/22 Q1-Q3) and 2,408 (2019/20) cover different periods; no earlier figure for the same kind of "
         "period")),
        (["1,551", "858 Q1-Q2", "", "812 Q1-Q2"], "Cumulative", Trend.IMPROVING,
         "812 (2021/22 Q1-Q2) against 858 (2019/20 Q1-Q2)"),
        (["49%", "Awaiting Publication", "Awaiting Publication", "51%"], "Snapshot", Trend.IMPROVING,
         "51% (2021/22) against 49% (2018/19)"),
        (["95% Q4", "98% Q4", "99.4%", ""], "Snapshot", Trend.IMPROVING, "99.4% (2020/21) against 98% (2019/20 Q4)"),
        (["50"], "Snapshot", None, ""),
    ],
)
def test_trends_compare_like_with_like(actuals, aggregation, trend, reason):
    r = rate_measure(measure(actuals, "N/A", "High" if "Term" in actuals[0] or "%" in actuals[0] else "Low",
                             aggregation=aggregation), AT_Q3)
    assert (r.trend, r.trend_reason) == (trend, reason)
    if trend is Trend.NOT_COMPARABLE:
        assert r.direction is None and r.arrow == "" and r.previous is None


def test_direction_of_travel_names_both_periods():
    r = rate_measure(measure(["49%", "Awaiting Publication", "Awaiting Publication", "51%"], "To maximise"), AT_Q3)
    assert r.status is Status.GREEN
    assert r.reason == "51% (2021/22) against 49% (2018/19), aim to maximise: at or better than previous"
    none_like = rate_measure(measure(["98% (Spring Term 19)", "", "", "96% (Autumn Term 21)"], "To maximise"), AT_Q3)
    assert none_like.status is Status.NO_DATA and "no earlier actual for the same kind of period" in none_like.reason


def test_trend_key_and_colours_cover_not_comparable():
    assert Trend.NOT_COMPARABLE in TREND_COLOURS
    assert any(name == "Not comparable" for name, _ in TREND_KEY)


def test_history_lists_every_actual_with_its_period():
    m = measure(["1,551 (443)", "858 (245) Q1 and Q2 2019/20", "Not yet available", ""], "Aim to minimise", "Low",
                aggregation="Cumulative")
    assert [(label, value.raw) for label, value in measure_history(m, AT_Q3)] == [
        ("2018/19", "1,551 (443)"), ("2019/20 Q1-Q2", "858 (245) Q1 and Q2 2019/20"),
        ("2020/21", "Not yet available"), ("2021/22", ""),
    ]
    assert history_text(m, AT_Q3) == ("2018/19 1,551 (443) · 2019/20 Q1-Q2 858 (245) Q1 and Q2 2019/20 · "
                                      "2020/21 Not yet available")


# --- The named cases, on the bundled samples ----------------------------------------------------------------


def _rated(wb):
    return {m.key: r for m, r in zip(wb.measures, rate_measures(wb.measures, settings_for(wb)), strict=True)}


def test_q3_sample_named_cases(q3):
    rated = _rated(q3)
    ehc = rated[("CSFE.9(iii)", "EHC Plan")]
    assert (ehc.status, ehc.would_be) == (Status.OUT_OF_DATE, Status.RED)
    assert ehc.reason.startswith("1% (2018/19 academic) would be Red against a target of 10%; no data since")
    cfse1 = rated[("CFSE.1", "")]
    assert (cfse1.status, cfse1.latest_label, cfse1.out_of_date) == (Status.GREEN, "2021/22", False)
    cfse32 = rated[("CFSE.32", "")]
    assert (cfse32.latest_label, cfse32.previous_label, cfse32.status) == ("2021/22 Q1-Q2", "2019/20 Q1-Q2",
                                                                           Status.GREEN)
    csfe63 = rated[("CSFE.63", "")]
    assert csfe63.trend is Trend.NOT_COMPARABLE and csfe63.latest_label == "2021/22 Q1-Q3"
    cfse5 = rated[("CFSE.5", "")]
    assert cfse5.trend is Trend.NOT_COMPARABLE and "Autumn Term 2021" in cfse5.trend_reason
    cfse55 = rated[("CFSE.55", "")]
    assert "51% (2021/22) against 49% (2018/19)" in cfse55.reason


def test_q3_exceptions_rest_only_on_current_data(q3):
    reds = [r for r in _rated(q3).values() if r.status is Status.RED]
    assert reds, "the sample still has exceptions"
    assert all(r.latest_period.age(q3.portfolio.financial_year) <= 1 for r in reds)
    counts = count_statuses(_rated(q3).values())
    assert counts[Status.OUT_OF_DATE] > counts[Status.RED]


def test_agreement_cfse32_is_rated_pro_rata(agreement):
    r = _rated(agreement)[("CFSE.32", "")]
    assert "858 for Q1-Q2 against 776 pro rata of a full-year 1,551" in r.reason or \
        "858 (2019/20 Q1-Q2) would be Red against 776 pro rata of a full-year 1,551" in r.reason


def test_readme_states_the_keys_word_for_word():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for status, text in status_key():
        assert f"| {STATUS_STYLES[status].symbol} **{STATUS_STYLES[status].label}** | {text} |" in readme
    for name, text in TREND_KEY:
        assert f"| **{name}** | {text} |" in readme

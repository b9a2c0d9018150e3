"""Short tables drawn as HTML: every value shown as typed, the money right-aligned, a named box."""

import re

import pandas as pd
import pytest
from apptest import TableReader

from app import html_table

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">', "Tom & Jerry's \"quote\"",
           "**bold** [link](http://x.example)", "=HYPERLINK(\"http://x.example\")"]


def read(markup: str) -> pd.DataFrame:
    reader = TableReader()
    reader.feed(markup)
    (rows,) = reader.tables
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.mark.parametrize("text", HOSTILE)
def test_every_value_and_header_is_shown_as_typed_never_as_markup(text):
    markup = html_table.table(pd.DataFrame({text: [text]}), text)
    assert "<script" not in markup and "<img" not in markup and 'onerror="' not in markup
    assert read(markup).to_dict("records") == [{text: text}]


def test_the_table_reads_back_row_by_row_with_blanks_and_line_breaks():
    frame = pd.DataFrame({"Service": ["Early help", "Schools"], "Variance £000": ["(12)", None],
                          "Commentary": ["Two lines\nof text", float("nan")]})
    markup = html_table.table(frame, "Variances explained", numeric=("Variance £000",), wide=("Commentary",))
    assert read(markup).to_dict("records") == [
        {"Service": "Early help", "Variance £000": "(12)", "Commentary": "Two lines\nof text"},
        {"Service": "Schools", "Variance £000": "", "Commentary": ""}]
    assert "Two lines<br>of text" in markup


def test_money_is_right_aligned_and_long_text_gets_room():
    markup = html_table.table(pd.DataFrame({"Division": ["A"], "Net budget £000": ["1,200"], "Note": ["x"]}),
                              "Budget totals", numeric=("Net budget £000",), wide=("Note",))
    assert re.findall(r'<t[hd][^>]*class="num"[^>]*>([^<]*)<', markup) == ["Net budget £000", "1,200"]
    assert re.findall(r'<t[hd][^>]*class="wide"[^>]*>([^<]*)<', markup) == ["Note", "x"]
    assert '<th scope="col">Division</th>' in markup and "<td>A</td>" in markup


def test_the_box_is_a_named_region_that_the_keyboard_can_reach_and_scroll():
    markup = html_table.table(pd.DataFrame({"a": [1]}), 'Change log <"edits">')
    assert markup.startswith(f'<div class="{html_table.CLASS}" role="region" '
                             'aria-label="Change log &lt;&quot;edits&quot;&gt;" tabindex="0">')
    long = html_table.table(pd.DataFrame({"a": [1]}), "Change log", whole=("a",), long=True)
    assert long.startswith(f'<div class="{html_table.CLASS} long"') and '<td class="whole">1</td>' in long
    assert f".{html_table.CLASS}.long {{ max-height" in html_table.STYLE and "position: sticky" in html_table.STYLE

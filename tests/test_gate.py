"""The upload gate: every hostile file is refused on its bytes, with its own one-line message, before any parser."""

from __future__ import annotations

import dataclasses
import io
import zipfile
import zlib

import corpus
import openpyxl
import pytest
from corpus import (
    BROKEN,
    HOSTILE,
    MEASURES_PART,
    control_characters,
    dated,
    deflated,
    error_cell,
    formula_without_value,
    last_row_styled,
    long_commentary_workbook,
    lying_dimension,
    members,
    plain_workbook,
    rezip,
    rtl_and_emoji,
    with_member,
)

from pprr.model import Problem, Severity
from pprr.workbook import gate


def _refusal(message: str) -> list[Problem]:
    return [Problem(Severity.ERROR, "File", None, None, message)]


@pytest.fixture(scope="module")
def bomb_1gb() -> bytes:
    return corpus.bomb_1gb().data  # built once per session, shared with test_corpus_check


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_each_hostile_file_is_refused_with_its_own_message(case):
    assert gate.check_upload(case.data, case.name) == _refusal(case.message)


def test_every_message_is_one_line_and_different():
    messages = {case.message for case in HOSTILE}
    assert all("\n" not in m and len(m) < 160 for m in messages)
    assert len(messages) == len({m.casefold() for m in messages})


@pytest.mark.parametrize("build", [
    plain_workbook, last_row_styled, lying_dimension, formula_without_value, error_cell, control_characters,
    rtl_and_emoji, long_commentary_workbook, lambda: dated(True),
], ids=lambda b: getattr(b, "__name__", "dated-1904"))  # fmt: skip
def test_valid_workbooks_pass(build):
    assert gate.check_upload(build(), "report.xlsx") == []


def test_the_samples_pass(agreement_bytes, q3_bytes):
    assert gate.check_upload(agreement_bytes) == gate.check_upload(q3_bytes) == []


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.name)
def test_files_that_only_a_parser_can_fault_pass_the_gate(case):
    assert gate.check_upload(case.data, case.name) == []


def test_the_bytes_decide_not_the_name():
    assert gate.check_upload(plain_workbook(), "figures.csv") == []
    assert gate.check_upload(b"a;b\n1;2\n", "figures.xlsx") == _refusal(gate.CSV)
    assert gate.check_upload(b"Figures to follow", "figures.csv") == _refusal(gate.CSV)


def test_an_image_part_is_not_mistaken_for_xml():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert gate.check_upload(rezip(plain_workbook(), {"xl/media/image1.png": png})) == []


def test_a_doctype_in_any_part_not_only_a_sheet_is_refused():
    rels = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "x">]><Relationships/>'
    assert gate.check_upload(rezip(plain_workbook(), {"_rels/.rels": rels})) == _refusal(gate.DOCTYPE)


def test_bytes_after_the_end_of_a_deflate_stream_end_the_inflating_check():
    sheet = deflated(members(plain_workbook())[MEASURES_PART] + b" " * 200_000, MEASURES_PART)  # > one chunk
    padded = dataclasses.replace(sheet, payload=sheet.payload + bytes(100_000))
    assert gate.check_upload(with_member(plain_workbook(), padded)) == []


def test_the_1gb_bomb_is_refused_from_the_central_directory_without_inflating(bomb_1gb, monkeypatch):
    assert len(bomb_1gb) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(bomb_1gb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 1 << 30

    def no_inflating(*args, **kwargs):
        raise AssertionError("the gate inflated a member before refusing the declared sizes")

    monkeypatch.setattr(zlib, "decompressobj", no_inflating)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    assert gate.check_upload(bomb_1gb) == _refusal(gate.PART_TOO_BIG)


def test_a_bomb_with_lying_sizes_is_inflated_no_further_than_it_declared(monkeypatch):
    lying = next(case for case in HOSTILE if case.name == "bomb-lying-sizes.xlsx")
    produced = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args):
            self._inner = real(*args)

        def decompress(self, data, max_length=0):
            out = self._inner.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self._inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    assert gate.check_upload(lying.data) == _refusal(gate.SIZES_LIE)
    assert sum(produced) < 2 * (1 << 20)  # every honest part plus at most one chunk past the 40 kB declared


def test_startup_fails_loudly_without_defusedxml(monkeypatch):
    gate.assert_safe_xml_parser()
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        gate.assert_safe_xml_parser()


def test_pprr_refuses_to_start_when_openpyxl_parses_xml_unsafely():
    import os
    import subprocess
    import sys

    env = dict(os.environ, OPENPYXL_DEFUSEDXML="False")
    result = subprocess.run([sys.executable, "-c", "import pprr"], env=env, capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode != 0
    assert "defusedxml" in result.stderr
    ok = subprocess.run([sys.executable, "-c", "import pprr"], capture_output=True, text=True, check=False, timeout=60)
    assert ok.returncode == 0, ok.stderr

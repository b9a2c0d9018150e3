"""A short, deterministic fuzz of the upload gate and reader with mutated workbook bytes (the long run is
``python -m bench.fuzz_gate``). Whatever the bytes, the answer is a list of problems, never an exception."""

from __future__ import annotations

import struct

from corpus import plain_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pprr import load_workbook
from pprr.model import Severity
from pprr.workbook.gate import check_upload

SEED = plain_workbook()
_CENTRAL = SEED.rfind(b"PK\x01\x02")  # the last central directory entry: sizes, flags, offsets
FUZZ = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])

positions = st.one_of(st.integers(0, len(SEED) - 1), st.integers(_CENTRAL, len(SEED) - 1))
flips = st.lists(st.tuples(positions, st.integers(0, 255)), min_size=1, max_size=8)
# (offset in a central directory entry, format): version needed, flags, method, compressed size, size, offset
FIELDS = ((6, "<H"), (8, "<H"), (10, "<H"), (20, "<I"), (24, "<I"), (42, "<I"))
lies = st.tuples(st.sampled_from(FIELDS), st.integers(0, 0xFFFFFFFF))


def _mutated(flips: list[tuple[int, int]], cut: int | None) -> bytes:
    data = bytearray(SEED)
    for position, value in flips:
        data[position] = value
    return bytes(data[:cut] if cut else data)


def _assert_reported(data: bytes) -> None:
    problems = check_upload(data, "fuzz.xlsx")
    assert all(p.severity is Severity.ERROR and p.sheet == "File" and "\n" not in p.message for p in problems)
    wb = load_workbook(data)
    assert all("\n" not in p.message for p in wb.problems)
    if problems:
        assert list(wb.problems) == problems


@FUZZ
@given(flips, st.one_of(st.none(), st.integers(1, len(SEED) - 1)))
def test_flipped_and_cut_bytes_are_reported_never_raised(flips, cut):
    _assert_reported(_mutated(flips, cut))


@FUZZ
@given(lies)
def test_any_field_of_the_central_directory_can_lie_and_is_reported_never_raised(lie):
    (offset, fmt), value = lie
    data = bytearray(SEED)
    struct.pack_into(fmt, data, _CENTRAL + offset, value & (0xFFFF if fmt == "<H" else 0xFFFFFFFF))
    _assert_reported(bytes(data))

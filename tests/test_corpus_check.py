"""Every file of the bad-file corpus through ``load_workbook`` and through ``pprr check``.

``pprr check`` runs in child processes limited to 1.5 GB of address space and killed after a time limit, so a file
that made the reader balloon or hang fails here instead of taking the machine down. A few children run at a time.
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from corpus import BROKEN, HOSTILE, bomb_1gb, finish_bounded, start_bounded

from pprr import load_workbook

CASES = (*HOSTILE, bomb_1gb(), *BROKEN)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for case in CASES:
        (folder / case.name).write_bytes(case.data)
    return folder


@pytest.fixture(scope="module")
def checked(corpus_dir) -> dict[str, subprocess.CompletedProcess]:
    def check(name: str) -> subprocess.CompletedProcess:
        return finish_bounded(start_bounded("pprr.cli", "check", str(corpus_dir / name)))

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1) as pool:
        return dict(zip([c.name for c in CASES], pool.map(check, [c.name for c in CASES]), strict=True))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_load_workbook_reports_the_file_and_raises_nothing(case, corpus_dir):
    wb = load_workbook(corpus_dir / case.name)
    assert wb.errors and not wb.measures
    assert all("\n" not in str(p) for p in wb.problems)
    if case.message:
        assert [p.message for p in wb.problems] == [case.message]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_pprr_check_exits_1_with_a_clear_line_and_no_traceback(case, checked):
    done = checked[case.name]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert lines and all(len(line) < 300 for line in lines)
    if case.message:
        assert lines == [f"File: {case.message}"]

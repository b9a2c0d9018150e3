"""A longer fuzz run of the upload gate and the reader: mutated workbook bytes must give problems, never exceptions.

``python -m bench.fuzz_gate --iterations 20000 --seed 1`` mutates the bundled samples and a generated workbook
(byte flips, cuts, splices, lies in the zip's central directory, damage to the XML inside a part) and passes each result through
``pprr.workbook.gate.check_upload`` and ``pprr.load_workbook``. It prints how often each gate message was given and how
many files got through to the reader; any exception, or a file taking longer than ``--slow`` seconds, is a failure:
the offending bytes are written to ``--out`` and the command exits 1. The test suite runs a short version of this (tests/test_fuzz_gate.py), not this command.
"""

from __future__ import annotations

import argparse
import collections
import io
import random
import re
import struct
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate_workbook
from pprr import load_workbook
from pprr.workbook.gate import check_upload

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_data").glob("*.xlsx"))


def seeds() -> list[bytes]:
    return [path.read_bytes() for path in SAMPLES] + [generate_workbook(50)]


def flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def splice(rng: random.Random, data: bytes) -> bytes:
    start, end = sorted(rng.randrange(len(data)) for _ in range(2))
    at = rng.randrange(len(data))
    return data[:at] + data[start:end] + data[at:]


def lie_in_central_directory(rng: random.Random, data: bytes) -> bytes:
    entries = [m.start() for m in re.finditer(rb"PK\x01\x02", data) if m.start() + 46 <= len(data)]
    if not entries:
        return data
    out = bytearray(data)
    field = rng.choice([8, 10, 20, 24, 42])  # flags, method, compressed size, size, local header offset
    width = 2 if field in (8, 10) else 4
    value = rng.choice([0, 1, 0xFFFF, 0xFFFFFFFF, rng.randrange(1 << (8 * width))]) & ((1 << (8 * width)) - 1)
    struct.pack_into("<H" if width == 2 else "<I", out, rng.choice(entries) + field, value)
    return bytes(out)


def mutate_part(rng: random.Random, data: bytes) -> bytes:
    """Flip, cut or splice the XML inside one part and zip it again honestly, so the reader sees the damage."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            parts = {info.filename: src.read(info) for info in src.infolist()}
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        return data
    name = rng.choice(sorted(parts))
    if parts[name]:
        parts[name] = rng.choice((flip, cut, splice))(rng, parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part, content in parts.items():
            dst.writestr(part, content)
    return out.getvalue()


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip, cut, splice, lie_in_central_directory, mutate_part, mutate_part, mutate_part,
)


def run(iterations: int, seed: int, out: Path, slow_s: float) -> int:
    rng = random.Random(seed)
    originals = seeds()
    outcomes: collections.Counter[str] = collections.Counter()
    failures = 0
    started = time.perf_counter()
    for n in range(iterations):
        data = rng.choice(originals)
        for _ in range(rng.randint(1, 3)):
            data = rng.choice(MUTATIONS)(rng, data)
        began = time.perf_counter()
        try:
            problems = check_upload(data, "fuzz.xlsx")
            outcomes[problems[0].message if problems else "passed the gate to the reader"] += 1
            load_workbook(data)
        except Exception:  # noqa: BLE001 - any exception at all is what the fuzz run looks for
            failures += _keep(out / f"failure-{seed}-{n}.xlsx", data, traceback.format_exc())
            continue
        took = time.perf_counter() - began
        if took > slow_s:
            failures += _keep(out / f"slow-{seed}-{n}.xlsx", data, f"took {took:.1f} s")
    elapsed = time.perf_counter() - started
    for message, count in outcomes.most_common():
        print(f"{count:>8}  {message}")
    print(f"{iterations} files in {elapsed:.1f} s ({iterations / elapsed:.0f}/s), {failures} failures")
    return 1 if failures else 0


def _keep(path: Path, data: bytes, why: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"{path}: {why}", flush=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing files are written")
    parser.add_argument("--slow", type=float, default=5.0, help="seconds after which one file counts as a failure")
    args = parser.parse_args(argv)
    return run(args.iterations, args.seed, args.out, args.slow)


if __name__ == "__main__":
    raise SystemExit(main())

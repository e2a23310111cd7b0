"""Fuzzed and corrupted Epoch CSVs through ``trainlca study`` and through the library.

Every case: exit 0 with the full set of outputs, or exit 2 with one ``trainlca: error:`` line and
the output directory absent/unchanged; ``load_epoch`` + ``build_runs`` work or raise
:class:`TrainLCAError`. Bounded and reproducible (see ``conftest_fuzz.FUZZ_SETTINGS``).
"""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from conftest_fuzz import FUZZ_COUNTS, check_cli_contract, count, fuzz_settings, run_cli
from trainlca.catalog import load_catalog
from trainlca.epoch import build_runs, load_epoch
from trainlca.errors import TrainLCAError
from trainlca.report.study_files import OUTPUT_SET

#: what a study writes with --no-figures
OUTPUT_FILES = tuple(n for n in OUTPUT_SET if n.endswith((".csv", ".json")))
CAT = load_catalog()
HARDWARE = [*[a.name for a in CAT][:30], "A100", "NVIDIA V100", "Google TPU v4", "H100,A100",
            "A100, A100", "Unknown chip 9000"]
COLUMNS = [
    "Model", "System", "Publication date", "Training hardware", "Training compute (FLOP)",
    "Hardware quantity", "Training time (hours)", "Hardware utilization (MFU)",
    "Hardware utilization", "Country (of organization)", "Country (from Organization)",
    "Organization", "Domain", "Numerical format", "Training power draw (W)",
]
CORE = {"Model", "Publication date", "Training hardware", "Training compute (FLOP)",
        "Hardware quantity", "Training time (hours)"}

WEIRD_NUMBERS = ["", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e308",
                 "1e-320", "0", "-0", "-5", "1,000", " 7 ", "0x10", "1_000", "١٢", "None",
                 "9" * 400, "1e22", "3.5e24", "2048", "1.0", "true"]
garbage = st.text(max_size=12) | st.sampled_from(['"', '""', "\n", "\r\n", ",", "\x00", "\ufeff",
                                                  "é", "𝔘", "=1+1", "\\", " "])
number = (st.sampled_from(WEIRD_NUMBERS)
          | st.floats(allow_nan=True, allow_infinity=True).map(repr)
          | st.integers(-10**30, 10**30).map(str)
          | st.floats(1e18, 1e27).map(lambda x: f"{x:.3e}")
          | st.integers(1, 20_000).map(str))
date = (st.dates(__import__("datetime").date(2005, 1, 1),
                 __import__("datetime").date(2026, 12, 31)).map(lambda d: d.isoformat())
        | st.sampled_from(["2020", "2021-07", "2020-13-01", "0000-00-00", "1/2/2021",
                           "March 2022", "", "9999-12-31", "1677-01-01", "2262-05-01"]))
VALID = {
    "Model": st.text(min_size=1, max_size=10),
    "System": st.text(min_size=1, max_size=10),
    "Publication date": date,
    "Training hardware": st.sampled_from(HARDWARE),
    "Hardware utilization (MFU)": st.sampled_from(["0.4", "40%", "150%", "-1", "", "nan", "1"]),
    "Hardware utilization": st.sampled_from(["0.3", "30 %", "0", ""]),
    "Country (of organization)": st.sampled_from(
        ["United States of America", "France", "China", "Multinational", "Narnia", "",
         "United Kingdom of Great Britain and Northern Ireland,Canada", "Korea (Republic of)"]),
    "Numerical format": st.sampled_from(["BF16", "FP32", "TF32", "FP8", "fp16, bf16", "int4",
                                         ""]),
}
VALID["Country (from Organization)"] = VALID["Country (of organization)"]


def cell(col: str) -> st.SearchStrategy[str]:
    good = VALID.get(col, number if "(" in col or col == "Hardware quantity" else
                     st.text(max_size=10))
    return st.integers(0, 9).flatmap(lambda k: garbage if k == 0 else good)


@st.composite
def epoch_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV drawn from columns and cells, then corrupted one way; returns (kind, bytes)."""
    cols = [c for c in COLUMNS if draw(st.integers(0, 9)) > (0 if c in CORE else 4)]
    cols += draw(st.lists(st.sampled_from(["junk", "", "Model", "  Publication date "]),
                          max_size=2))
    cols = draw(st.permutations(cols))
    n = draw(st.integers(0, 14))
    rows = [[draw(cell(c.strip())) for c in cols] for _ in range(n)]
    if rows and draw(st.booleans()):  # duplicated rows
        rows += draw(st.lists(st.sampled_from(rows), max_size=4))
    if rows and draw(st.integers(0, 4)) == 0:  # ragged rows
        rows[-1] = rows[-1][: draw(st.integers(0, len(rows[-1])))] + ["x"] * draw(
            st.integers(0, 2))
    buf = io.StringIO()
    csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
        [cols, *rows])
    text = buf.getvalue()
    kind = draw(st.sampled_from(["plain", "utf-8-sig", "latin-1", "utf-16", "utf-16-le",
                                 "cp1252", "truncated", "header-only", "empty", "bytes"]))
    if kind in ("plain", "truncated", "bytes"):
        data = text.encode("utf-8", "surrogatepass")
    elif kind == "header-only":
        data = text.splitlines(keepends=True)[0].encode("utf-8", "surrogatepass")
    elif kind == "empty":
        data = draw(st.sampled_from([b"", b"\n", b"  \r\n", b"\xef\xbb\xbf", b"\xff\xfe"]))
    else:
        data = text.encode(kind, "replace")
    if kind == "truncated" and data:
        data = data[: draw(st.integers(max(0, len(data) - 40), len(data) - 1))]
    if kind == "bytes":
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
    return kind, data


def _listing(d: Path) -> dict[str, bytes] | None:
    if not d.exists():
        return None
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}


@fuzz_settings(320)
@given(case=epoch_bytes(), preexisting=st.booleans())
def test_study_cli_on_fuzzed_epoch(case: tuple[str, bytes], preexisting: bool) -> None:
    kind, data = case
    count("study CLI: fuzzed Epoch CSV")
    with tempfile.TemporaryDirectory() as tmp:
        f, out = Path(tmp) / "epoch.csv", Path(tmp) / "results" / "out"
        f.write_bytes(data)
        if preexisting:
            out.mkdir(parents=True)
            (out / "notes.txt").write_text("keep me", encoding="utf-8")
        before = _listing(out)
        argv = ["study", "--data", str(f), "--out", str(out), "--draws", "0", "--no-figures"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = run_cli(argv)
        check_cli_contract(r, [*argv, f"<{kind}: {data[:300]!r}>"])
        # warnings Python shows by default would add stderr lines; GC-timed ResourceWarnings
        # and deprecations are hidden by default (and made this check flaky under load)
        hidden = (DeprecationWarning, PendingDeprecationWarning, ResourceWarning, ImportWarning)
        assert not [w for w in caught if not issubclass(w.category, hidden)], (
            [str(w.message) for w in caught], kind, data[:300])
        parent = out.parent
        leftovers = [p.name for p in parent.iterdir() if p.name.startswith(".")] if (
            parent.exists()) else []
        assert not leftovers, leftovers  # no temporary directory left behind
        if r.code == 0:  # the tables of a study without figures
            names = {p.name for p in out.iterdir()}
            assert names == set(OUTPUT_FILES) | ({"notes.txt"} if preexisting else set())
            assert all((out / n).stat().st_size > 0 for n in OUTPUT_FILES)
        else:
            assert _listing(out) == before, "output directory changed by a failed run"


@fuzz_settings(700)
@given(case=epoch_bytes(), impute=st.booleans(),
       window=st.sampled_from([(2013.0, None), (2020.0, 2022.0), (2030.0, None),
                               (-1e308, 1e308)]))
def test_library_on_fuzzed_epoch(case: tuple[str, bytes], impute: bool,
                                 window: tuple[float, float | None]) -> None:
    _kind, data = case
    count("library: load_epoch + build_runs")
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "epoch.csv"
        f.write_bytes(data)
        try:
            d = load_epoch(f)
        except TrainLCAError as exc:
            assert "\n" not in str(exc)
            return
        assert len(d) > 0 and len(d.sha256) == 64
        try:
            rt = build_runs(d, catalog=CAT, start_year=window[0], end_year=window[1],
                            impute_hardware=impute)
        except TrainLCAError:
            return
        assert len(rt.runs) + len(rt.skipped) == len(d)
        assert (rt.runs["accelerator_hours"] > 0).all()


def test_epoch_fuzz_counts() -> None:
    """Runs after the two fuzz tests above (file order): both ran their full budget."""
    if FUZZ_COUNTS["study CLI: fuzzed Epoch CSV"]:
        assert FUZZ_COUNTS["study CLI: fuzzed Epoch CSV"] >= 300
    if FUZZ_COUNTS["library: load_epoch + build_runs"]:
        assert FUZZ_COUNTS["library: load_epoch + build_runs"] >= 650

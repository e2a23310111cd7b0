"""Random command lines for estimate, hardware, grid, params, cards and validate: every case ends
in exit 0, or exit 2 with one ``trainlca: error:`` line (exit 1 "internal error" is a bug)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest_fuzz import FUZZ_COUNTS, check_cli_contract, count, fuzz_settings, run_cli
from trainlca.cli import _register, cli

_register()
COMMANDS = set(cli.commands)

NUMBERS = st.sampled_from(
    ["0", "-0", "-1", "1", "8", "384", "2820", "1e308", "1e309", "-1e309", "nan", "NaN", "inf",
     "-inf", "1e-320", "", "abc", "0x10", "1_000", " 5", "٣", "1e25", "3.8e25", "0.4", "40%",
     "99999999999999999999999"]
) | st.floats(allow_nan=True, allow_infinity=True).map(repr) | st.integers(-10**6, 10**25).map(str)
TEXT = st.text(max_size=15)
HARDWARE = st.sampled_from(["A100", "H100", "NVIDIA A100 SXM4 80 GB", "TPU v4", "V100", "a",
                            "", " ", "Cerebras CS-2", "MI250X", "GB200", "A100;H100", "*"]) | TEXT
COUNTRY = st.sampled_from(["WOR", "FRA", "USA", "France", "Multinational", "EEE", "XXX", "",
                           "fra", "United States of America", "US-CA", "Narnia"]) | TEXT
PRESET = st.sampled_from(["default", "mlca", "tdp-pue", "bloom", "DEFAULT", "", "nope"]) | TEXT
PARAM_NAMES = st.sampled_from(["pue", "mfu", "rho", "lifetime_years", "use_ratio",
                               "dynamic_ratio", "power_fraction", "card_mass_kg", "nope", "",
                               "PUE", " pue "])
SETS = st.one_of(
    st.tuples(PARAM_NAMES, NUMBERS).map(lambda t: f"{t[0]}={t[1]}"),
    st.sampled_from(["pue", "=", "pue==1", "=1.2", "pue=1.2=3", "mfu=0.5%"]),
    TEXT,
)
FORMAT = st.sampled_from(["table", "json", "csv", "JSON", "xml", ""])
DRAWS = st.sampled_from(["0", "0", "20", "60", "-1", "abc", "1.5", "1e3", "2000001",
                         "99999999999999999999", "nan"])
SEED = st.sampled_from(["0", "1", "-1", "abc", "1.5", str(2**64), str(2**32), "nan"])
JUNK = st.sampled_from(["--bogus", "-x", "--", "---", "--format", "--set", "-H", "extra",
                        "--help", "-h", "--version"]) | TEXT


def opts(*pairs: tuple[str, st.SearchStrategy[str]], flags: tuple[str, ...] = ()
         ) -> st.SearchStrategy[list[str]]:
    """A random list of options (each from ``pairs`` or ``flags``) and junk tokens."""
    choices: list[st.SearchStrategy[list[str]]] = [
        st.tuples(st.just(name), value).map(list) for name, value in pairs]
    choices += [st.just([f]) for f in flags]
    choices.append(JUNK.map(lambda j: [j]))
    return st.lists(st.one_of(choices), max_size=7).map(lambda xs: [t for x in xs for t in x])


GRID_HEADERS = ["zone,gwp,adpe,pe,wu", "zone,gwp", "zone,wue", "Zone,GWP,name,source",
                "country,code,gwp_emission_factor,adpe_emission_factor,pe_emission_factor",
                "index,location,carbonIntensity", "location,carbonIntensity,source", "zone",
                "zone,gwp,gwp", "", "a,b,c"]


@st.composite
def grid_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from(GRID_HEADERS))
    n = len(header.split(","))
    cells = COUNTRY | NUMBERS | st.sampled_from(["0.05", "1.2e-8", "3", "-", "n/a", "US-CA"])
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=n + 1), max_size=6))
    if header.startswith("index"):
        rows.insert(0, ["units", "", "gCO2e/kWh"])
    lines = [header, *[",".join(r) for r in rows]]
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(enc, "replace")


def _grid_path(tmp: Path, choice: str, content: bytes) -> str:
    if choice == "file":
        f = tmp / "grid.csv"
        f.write_bytes(content)
        return str(f)
    if choice == "dir":
        return str(tmp)
    return {"missing": str(tmp / "nope.csv"), "ecologits": "ecologits", "empty": ""}[choice]


GRID_CHOICE = st.sampled_from(["file", "file", "file", "dir", "missing", "ecologits", "empty"])


def _run(kind: str, argv: list[str]) -> None:
    count(kind)
    check_cli_contract(run_cli(argv), argv)


@fuzz_settings(420)
@given(hw=HARDWARE, rest=opts(
    ("-n", NUMBERS), ("--count", NUMBERS), ("--hours", NUMBERS),
    ("--accelerator-hours", NUMBERS), ("--flop", NUMBERS), ("--mfu", NUMBERS),
    ("--precision", st.sampled_from(["fp32", "tf32", "fp16", "bf16", "fp8", "int4", ""])),
    ("-c", COUNTRY), ("-p", PRESET), ("--set", SETS), ("--draws", DRAWS), ("--seed", SEED),
    ("--format", FORMAT), flags=("--sensitivity",)),
    grid=st.none() | st.tuples(GRID_CHOICE, grid_csv()), base=st.booleans())
def test_fuzz_estimate(hw: str, rest: list[str], grid: tuple[str, bytes] | None,
                       base: bool) -> None:
    # ``base``: start from a valid run so the fuzzed options reach the model, not only parsing
    argv = ["estimate", "-H", hw, *(["-n", "8", "--hours", "10", "--draws", "0"] if base else []),
            *rest]
    with tempfile.TemporaryDirectory() as tmp:
        if grid is not None:
            argv += ["--grid", _grid_path(Path(tmp), *grid)]
        _run("CLI: estimate", argv)


@fuzz_settings(220)
@given(query=st.none() | HARDWARE, rest=opts(("--format", FORMAT)))
def test_fuzz_hardware(query: str | None, rest: list[str]) -> None:
    _run("CLI: hardware", ["hardware", *([] if query is None else [query]), *rest])


@fuzz_settings(420)
@given(query=st.none() | COUNTRY, rest=opts(("--format", FORMAT)),
       grid=st.none() | st.tuples(GRID_CHOICE, grid_csv()))
def test_fuzz_grid(query: str | None, rest: list[str], grid: tuple[str, bytes] | None) -> None:
    argv = ["grid", *([] if query is None else [query]), *rest]
    with tempfile.TemporaryDirectory() as tmp:
        if grid is not None:
            argv += ["--grid", _grid_path(Path(tmp), *grid)]
        _run("CLI: grid (incl. fuzzed grid CSV)", argv)


@fuzz_settings(150)
@given(rest=opts(("-p", PRESET), ("--preset", PRESET), ("--format", FORMAT)))
def test_fuzz_params(rest: list[str]) -> None:
    _run("CLI: params", ["params", *rest])


@fuzz_settings(220)
@given(rest=opts(("-p", PRESET), ("--set", SETS), ("--since", NUMBERS), ("--draws", DRAWS),
                 ("--seed", SEED), ("--format", FORMAT), flags=("--all", "--force")),
       out=st.sampled_from([None, "new", "exists", "dir", "nested/deep.txt"]))
def test_fuzz_cards(rest: list[str], out: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["cards", *rest]
        if out is not None:
            target = Path(tmp) / ("x" if out == "dir" else out)
            if out == "exists":
                target.write_text("old", encoding="utf-8")
            elif out == "dir":
                target.mkdir()
            argv += ["--out", str(target)]
        _run("CLI: cards", argv)


@fuzz_settings(150)
@given(rest=opts(("--mode", st.sampled_from(["as-reported", "our-grid", "x", ""])),
                 ("--format", FORMAT), ("--references", TEXT), ("--grid", TEXT),
                 flags=("--cards", "--all")))
def test_fuzz_validate(rest: list[str]) -> None:
    if "validate" not in COMMANDS:
        pytest.skip("no validate command registered yet")
    _run("CLI: validate", ["validate", *rest])


def test_cli_fuzz_counts() -> None:
    """Runs after the fuzz tests above (file order): each ran its full budget when selected."""
    budgets = {"CLI: estimate": 400, "CLI: hardware": 200, "CLI: grid (incl. fuzzed grid CSV)": 400,
               "CLI: params": 140, "CLI: cards": 200}
    for kind, n in budgets.items():
        assert FUZZ_COUNTS[kind] in (0,) or FUZZ_COUNTS[kind] >= n, (kind, FUZZ_COUNTS[kind])

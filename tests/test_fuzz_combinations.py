"""Option combinations and output targets.

Every preset × every way to describe a run × every output option of ``estimate`` is run once
(the full product, with draws > 0 so the Monte Carlo path is taken); then hypothesis combines
several valid options at random; then every output target a user can point at (new, existing,
folders, special files, paths under files, symlinks) is tried on each command that writes a file.
Each case ends in exit 0, or exit 2 with one ``trainlca: error:`` line; a success prints finite
numbers only; a refusal leaves the target as it was and no temporary file beside it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest_fuzz import CliResult, check_cli_contract, count, fuzz_settings, run_cli
from trainlca.presets import PRESETS

DATA = Path(__file__).parent / "data"
PRESET_NAMES = tuple(PRESETS)
DRAWS = ["--draws", "50"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Input files of every kind: a CodeCarbon file, a runs CSV, sacct output, a BoAmps report
    (written by trainlca itself, so reading it back is a round trip)."""
    d = tmp_path_factory.mktemp("inputs")
    boamps = d / "report.json"
    r = run_cli(["estimate", "-H", "H100", "-n", "8", "--hours", "10", "-c", "FRA",
                 "--draws", "0", "--format", "boamps", "-q"])
    assert r.code == 0, r.stderr
    boamps.write_text(r.stdout, encoding="utf-8")
    return {"codecarbon": DATA / "codecarbon_two_ranks.csv", "runs": DATA / "runs.csv",
            "slurm": DATA / "sacct_jobs.txt", "boamps": boamps}


#: every way to describe a run (the names are the test ids).
RUNS: dict[str, list[str]] = {
    "count-hours": ["-H", "H100", "-n", "8", "--hours", "10"],
    "accelerator-hours": ["-H", "A100", "--accelerator-hours", "80"],
    "flop-mfu": ["-H", "H100", "--flop", "1e21", "--mfu", "0.4", "--precision", "fp8"],
    "flop-default-mfu": ["-H", "TPU v4", "--flop", "1e21"],
    "parameters-tokens": ["-H", "H100", "--parameters", "7e9", "--tokens", "2e10"],
    "codecarbon": ["--from-codecarbon", "{codecarbon}"],
    "runs-csv": ["--runs", "{runs}"],
    "slurm": ["--from-slurm", "{slurm}", "-H", "A100"],
    "boamps": ["--from-boamps", "{boamps}"],
    "inline-chip": ["--chip", "name=MyChip,tdp_w=350,die_area_mm2=600,memory_gb=48",
                    "-n", "4", "--hours", "5"],
}

#: every output option (alone; the hypothesis test below combines them).
OUTPUTS: dict[str, list[str]] = {
    "table": [],
    "json": ["--format", "json"],
    "csv": ["--format", "csv"],
    "boamps": ["--format", "boamps"],
    "hf-card": ["--format", "hf-card"],
    "statement-md": ["--statement", "md"],
    "statement-latex": ["--statement", "latex"],
    "statement-ai-act": ["--statement", "ai-act"],
    "plot": ["--plot", "{tmp}/fig.png"],
    "sensitivity": ["--sensitivity"],
    "no-host": ["--no-host"],
    "server": ["--server", "hgx-h100"],
    "verbose": ["-v"],
    "quiet": ["-q"],
}


def _fill(argv: list[str], values: dict[str, Any]) -> list[str]:
    return [a.format(**values) for a in argv]


def _numbers(doc: Any) -> Iterator[float]:
    if isinstance(doc, bool):
        return
    if isinstance(doc, int | float):
        yield float(doc)
    elif isinstance(doc, dict):
        for v in doc.values():
            yield from _numbers(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _numbers(v)


NOT_A_NUMBER = re.compile(r"(?<![A-Za-z])(inf|nan|infinity)(?![A-Za-z])", re.IGNORECASE)


def check_success(r: CliResult, argv: list[str]) -> None:
    """A success prints no inf/nan, and its JSON (when it is JSON) holds finite numbers only."""
    where = f"argv={argv!r}"
    assert not NOT_A_NUMBER.search(r.stdout), where
    if r.stdout.lstrip().startswith("{"):
        doc = json.loads(r.stdout)
        assert all(math.isfinite(x) for x in _numbers(doc)), where


#: combinations refused on purpose (exit 2, one line), with the word the error must hold.
#: A runs CSV or sacct output describes a project (many runs): its total has no single-run
#: report (BoAmps, model card, statement), figure or sensitivity.
REFUSED: dict[tuple[str, str], str] = {
    (run, out): "gives a project total" for run in ("runs-csv", "slurm")
    for out in ("boamps", "hf-card", "statement-md", "statement-latex", "statement-ai-act",
                "plot", "sensitivity")}
#: BoAmps counts the accelerators (nbComponent): a run given as accelerator-hours or FLOP
#: without --count cannot fill it (with --count it can: test_boamps_count_beside_*).
REFUSED |= {(run, "boamps"): "needs the number of accelerators"
            for run in ("accelerator-hours", "flop-mfu", "flop-default-mfu", "parameters-tokens")}


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_every_preset_run_and_output(preset: str, inputs: dict[str, Path]) -> None:
    refused = []
    for (run_name, run), (out_name, out) in itertools.product(RUNS.items(), OUTPUTS.items()):
        with tempfile.TemporaryDirectory() as tmp:
            argv = _fill(["estimate", *run, "-c", "FRA", "-p", preset, *DRAWS, *out],
                         {**inputs, "tmp": tmp})
            count("CLI: preset × run × output")
            r = run_cli(argv)
            check_cli_contract(r, argv)
            if r.code == 0:
                check_success(r, argv)
                if out_name == "plot":
                    assert (Path(tmp) / "fig.png").stat().st_size > 0, argv
            else:
                refused.append((run_name, out_name, r.stderr.strip()))
                assert not any(Path(tmp).iterdir()), argv  # nothing written half
    unexpected = [x for x in refused if REFUSED.get((x[0], x[1]), "\0") not in x[2]]
    assert not unexpected, unexpected
    assert {(x[0], x[1]) for x in refused} == set(REFUSED)  # the refusals are exactly these


@pytest.mark.parametrize("run", ["accelerator-hours", "flop-mfu"])
def test_boamps_count_beside_other_descriptions(run: str) -> None:
    argv = ["estimate", *RUNS[run], "-n", "8", "--draws", "0", "--format", "boamps", "-q"]
    r = run_cli(argv)
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    (gpu,) = [c for c in doc["infrastructure"]["components"] if c["componentType"] == "gpu"]
    assert gpu["nbComponent"] == 8
    if run == "accelerator-hours":  # 80 accelerator-hours on 8 chips: 10 h
        assert doc["measures"][0]["measurementDuration"] == pytest.approx(36000)


VALID_SETS = st.sampled_from(["pue=1.1", "pue=1.6", "mfu=0.3", "lifetime_years=3",
                              "use_ratio=0.6", "power_fraction=0.7", "wue_onsite_l_per_kwh=0"])


@st.composite
def combination(draw: st.DrawFn) -> tuple[str, list[str]]:
    run = draw(st.sampled_from(sorted(RUNS)))
    argv = ["estimate", *RUNS[run]]
    argv += ["-p", draw(st.sampled_from(PRESET_NAMES))]
    argv += ["-c", draw(st.sampled_from(["FRA", "USA", "WOR", "Norway", "CHN", "SWE"]))]
    argv += ["--draws", draw(st.sampled_from(["0", "1", "2", "30"]))]
    argv += ["--seed", draw(st.sampled_from(["0", "7", "123456"]))]
    for s in draw(st.lists(VALID_SETS, max_size=3)):
        argv += ["--set", s]
    fmt = draw(st.sampled_from(["table", "json", "csv", "boamps", "hf-card"]))
    argv += ["--format", fmt]
    if draw(st.booleans()):
        argv += ["--statement", draw(st.sampled_from(["md", "latex", "ai-act"]))]
    for flag in ("--sensitivity", "--no-host", "-v", "-q"):
        if draw(st.integers(0, 3)) == 0:
            argv.append(flag)
    if draw(st.integers(0, 3)) == 0:
        argv += ["--server", draw(st.sampled_from(["hgx-h100", "hgx-a100", "pcie-workstation-4",
                                                    "tpu-v4-host"]))]
    if draw(st.integers(0, 5)) == 0:
        argv += ["--plot", "{tmp}/fig." + draw(st.sampled_from(["png", "svg", "pdf"]))]
    return run, argv


@fuzz_settings(160)
@given(case=combination())
def test_fuzz_option_combinations(case: tuple[str, list[str]], inputs: dict[str, Path]) -> None:
    _, argv = case
    with tempfile.TemporaryDirectory() as tmp:
        argv = _fill(argv, {**inputs, "tmp": tmp})
        count("CLI: option combinations")
        r = run_cli(argv)
        check_cli_contract(r, argv)
        if r.code == 0:
            check_success(r, argv)
        else:
            assert not any(Path(tmp).iterdir()), argv


# --- output targets -----------------------------------------------------------------------------

TARGETS = ["new", "existing", "existing-force", "dir", "dir-force", "under-file", "fifo-force",
           "devnull-force", "symlink-devnull-force", "symlink-file-force", "dangling-symlink",
           "deep-new", "proc", "empty"]


def _target(tmp: Path, kind: str, name: str) -> tuple[str, list[str]]:
    force = ["--force"] if kind.endswith("-force") else []
    kind = kind.removesuffix("-force")
    t = tmp / name
    if kind == "existing":
        t.write_text("old")
    elif kind == "dir":
        t.mkdir()
        (t / "mine.txt").write_text("keep")
    elif kind == "under-file":
        (tmp / "file").write_text("x")
        t = tmp / "file" / name
    elif kind == "fifo":
        os.mkfifo(t)
    elif kind == "devnull":
        return os.devnull, force
    elif kind == "symlink-devnull":
        t.symlink_to(os.devnull)
    elif kind == "symlink-file":
        (tmp / "real.txt").write_text("real")
        t.symlink_to(tmp / "real.txt")
    elif kind == "dangling-symlink":
        t.symlink_to(tmp / "nowhere" / "x")
    elif kind == "deep-new":
        t = tmp / "a" / "b" / name
    elif kind == "proc":
        return "/proc/trainlca-x/" + name, force
    elif kind == "empty":
        return "", force
    return str(t), force


def _snapshot(tmp: Path) -> dict[str, tuple[int, bytes | None]]:
    snap: dict[str, tuple[int, bytes | None]] = {}
    for p in sorted(tmp.rglob("*")):
        st_ = p.lstat()
        data = p.read_bytes() if p.is_file() and not p.is_symlink() else None
        snap[str(p.relative_to(tmp))] = (st_.st_mode, data)
    return snap


COMMANDS: dict[str, tuple[list[str], str]] = {
    "cards": (["cards", "--draws", "0", "--out", "{t}"], "cards.csv"),
    "estimate-plot": (["estimate", "-H", "A100", "-n", "8", "--hours", "10", "--draws", "0",
                       "--plot", "{t}"], "fig.png"),
    "study": (["study", "--data", str(DATA / "epoch_runs.csv"), "--draws", "0", "--no-figures",
               "--out", "{t}"], "study"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", TARGETS)
def test_output_targets(command: str, kind: str, tmp_path: Path) -> None:
    template, name = COMMANDS[command]
    target, force = _target(tmp_path, kind, name)
    devnull = os.stat(os.devnull)
    before = _snapshot(tmp_path)
    argv = [a.format(t=target) for a in template] + force
    count("CLI: output targets")
    r = run_cli(argv)
    check_cli_contract(r, argv)
    after_dev = os.stat(os.devnull)
    assert (after_dev.st_mode, after_dev.st_ino, after_dev.st_rdev) == (
        devnull.st_mode, devnull.st_ino, devnull.st_rdev)
    leftovers = [p for p in tmp_path.rglob(".*")]  # temporary files and folders are dot-named
    assert not leftovers, leftovers
    if r.code == 2:
        assert _snapshot(tmp_path) == before, argv  # a refusal changes nothing
        return
    # a success: a new path, or --force over a regular file (through a link to one); a study
    # also goes into an existing folder (its other files kept)
    ok = {"new", "deep-new", "existing-force", "symlink-file-force"}
    if command == "study":
        ok = {"new", "deep-new", "dir", "dir-force"}
    assert kind in ok, (kind, argv, r.stderr)
    if kind == "symlink-file-force":
        assert (tmp_path / name).is_symlink() and (tmp_path / "real.txt").read_bytes() != b"real"
    if kind in ("dir", "dir-force"):
        assert (Path(target) / "mine.txt").read_text() == "keep"

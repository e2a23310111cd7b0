"""The estimate's terminal view: brief (≤ 40 lines, ≤ 80 columns), medians labelled as such,
the point estimate labelled, --verbose for every source, --quiet for the table alone, and a
warning for every option that has no effect."""

from __future__ import annotations

import pytest

from clitools import run_cli
from trainlca.api import estimate

RUN = ("estimate", "-H", "A100 SXM4 80 GB", "-n", "384", "--hours", "2820", "-c", "FRA")


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("extra", [[], ["--sensitivity"], ["--preset", "bloom"],
                                   ["--draws", "0"], ["-c", "WOR"]])
def test_default_output_is_brief(capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    code, out, err = run_cli(capsys, *RUN, *extra)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) <= 40 + (14 if "--sensitivity" in extra else 0)
    assert max(len(ln) for ln in lines) <= 80
    assert "source of every value: --verbose" in out


def test_headline_is_the_median_and_the_point_is_labelled(
        capsys: pytest.CaptureFixture[str]) -> None:
    from trainlca.cli.output import fmt_num

    e = estimate("A100 SXM4 80 GB", count=384, hours=2820, country="FRA")
    code, out, _ = run_cli(capsys, *RUN)
    assert code == 0
    assert "median of 2,000 draws" in out
    gwp = next(ln for ln in out.splitlines() if ln.strip().startswith("GWP kgCO2eq"))
    iv = e.intervals["gwp"]["total"]
    assert fmt_num(iv.p50) in gwp and f"{fmt_num(iv.p5)}–{fmt_num(iv.p95)}" in gwp
    point = next(ln for ln in out.splitlines() if ln.startswith("point estimate"))
    assert "mode" in point and "energy" in point


def test_verbose_adds_every_source_and_quiet_keeps_the_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, brief, _ = run_cli(capsys, *RUN)
    _, verbose, _ = run_cli(capsys, *RUN, "--verbose")
    _, quiet, err = run_cli(capsys, *RUN, "-q")
    assert "Inputs, defaults and imputations used" not in brief
    assert "Inputs, defaults and imputations used:" in verbose
    assert "Gröger" in verbose and "host production water not covered" in verbose
    assert "GWP kgCO2eq" in quiet and "boundary:" not in quiet and "•" not in quiet
    assert err == ""


def test_excluded_stages_are_not_zeros(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, *RUN, "--preset", "tdp-pue")
    gwp = next(ln for ln in out.splitlines() if ln.strip().startswith("GWP kgCO2eq"))
    assert gwp.split()[2:4] == ["–", "–"]


@pytest.mark.parametrize(("extra", "warning"), [
    (["--mfu", "0.4"], "--mfu has no effect without --flop"),
    (["--precision", "fp8"], "--precision has no effect without --flop"),
    (["--sensitivity", "--format", "csv"], "--sensitivity is shown in the table"),
    (["--force"], "--force has no effect without --plot"),
])
def test_options_without_effect_warn(capsys: pytest.CaptureFixture[str], extra: list[str],
                                     warning: str) -> None:
    code, _, err = run_cli(capsys, *RUN, "--draws", "50", *extra)
    assert code == 0
    assert err.count("\n") == 1 and f"trainlca: warning: {warning}" in err

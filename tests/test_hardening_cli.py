"""Regression tests of bad or doubtful input on the CLI: each case with its exit code and the
shape of its message (one line, naming the problem and the fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clitools import run_cli


def _one_line_error(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("trainlca: error: "), err
    for w in words:
        assert w in err, (w, err)


def test_no_command_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert code == 0 and err == ""
    assert out.startswith("Usage: trainlca") and "estimate" in out and "\n" in out


def test_unknown_hardware_query_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "hardware", "zzz")
    assert code == 2 and out == ""
    _one_line_error(err, "unknown accelerator 'zzz'", "closest")


@pytest.mark.parametrize(("args", "words"), [
    (["cards", "--since", "nan"], ["--since", "not a finite number"]),
    (["study", "--start-year", "inf", "--data", "x.csv"], ["--start-year", "finite"]),
    (["estimate", "-H", "V100", "--accelerator-hours", "1e308"],
     ["accelerator_hours", "plausible range"]),
    (["estimate", "-H", "V100", "--flop", "1e21", "--mfu", "1e-300"], ["mfu", "plausible"]),
    (["estimate", "-H", "V100", "-n", "nan", "--hours", "1"], ["--count", "finite"]),
    (["estimate", "-n", "8", "--hours", "1"], ["--hardware"]),
])
def test_non_finite_and_implausible_numbers(capsys: pytest.CaptureFixture[str],
                                            args: list[str], words: list[str]) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    _one_line_error(err, *words)


def test_run_longer_than_the_hardware_life_warns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "estimate", "-H", "A100", "-n", "1", "--hours", "1000000",
                           "--draws", "0", "--format", "json")
    assert code == 0
    assert "allocation.exceeds_lifetime" in out


def test_fallback_peak_is_flagged_imputed(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = run_cli(capsys, "estimate", "-H", "V100", "--flop", "1e21", "--precision",
                           "fp8", "--draws", "0", "--format", "json")
    assert code == 0
    d = json.loads(out)
    peak = next(p for p in d["provenance"] if p["name"] == "peak_flops_fp8")
    assert peak["status"] == "imputed" and "no fp8 peak" in peak["source"]
    assert any(n["code"] == "peak.fallback" for n in d["notes"])


def test_cards_out_dash_is_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "cards", "--out", "-", "--format", "csv")
    assert code == 0 and out.startswith("hardware,")
    assert not (tmp_path / "-").exists()


def test_validate_both_modes_and_cards_warning(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = run_cli(capsys, "validate", "--as-reported", "--our-grid", "--format",
                           "json")
    assert code == 0 and set(json.loads(out)["modes"]) == {"as-reported", "our-grid"}
    code, _, err = run_cli(capsys, "validate", "--cards", "--as-reported", "--format", "json")
    assert code == 0 and "trainlca: warning: --cards" in err

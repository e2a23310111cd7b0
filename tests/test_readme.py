"""The README is executable: every ``trainlca …`` command of its shell blocks, its Python API
snippet, and every example printed by a command's ``--help`` run on the shared data (files they
name are substituted) and exit 0 with no traceback. A future example that breaks fails here."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from clitools import run_cli
from conftest import REPO, shared_data_dir
from trainlca.cli import _register, cli

DATA = Path(__file__).parent / "data"


def substitutions() -> dict[str, Path]:
    """Files the examples name → the files they stand for here."""
    shared = shared_data_dir()
    return {
        "notable_ai_models.csv": shared / "epoch" / "notable_ai_models.csv",
        "emissions.csv": DATA / "codecarbon_two_ranks.csv",
        "electricity_impact_factors.csv":
            shared / "impact_factors" / "mlca" / "electricity_impact_factors.csv",
        "mlca_results/": shared / "reference" / "mlca_results",
        "sacct.txt": DATA / "sacct_jobs.txt",
        "runs.csv": DATA / "runs.csv",
        "boamps_report.json": shared / "formats" / "boamps" / "boamps_report.json",
    }


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [ln.strip() for b in _blocks(text, "bash") for ln in b.splitlines()]
    return [ln for ln in lines if ln.startswith("trainlca ")]


def help_examples() -> list[tuple[str, str]]:
    """(command, example) for every ``trainlca …`` line of a command's --help."""
    _register()
    out: list[tuple[str, str]] = []
    for name, cmd in sorted(cli.commands.items()):
        with click.Context(cmd, info_name=name) as ctx:
            text = cmd.get_help(ctx)
        out += [(name, ln.strip()) for ln in text.splitlines()
                if ln.strip().startswith("trainlca ")]
    return out


def run_example(capsys: pytest.CaptureFixture[str], line: str, cwd: Path,
                monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run one example line in ``cwd`` (``> FILE`` redirects stdout into FILE)."""
    words = shlex.split(line, comments=True)
    assert words[0] == "trainlca"
    target = None
    if ">" in words:
        k = words.index(">")
        words, target = words[:k], words[k + 1]
    subs = substitutions()
    args = [str(subs[w]) if w in subs else w for w in words[1:]]
    monkeypatch.chdir(cwd)
    code, out, err = run_cli(capsys, *args)
    if target is not None:
        (cwd / target).write_text(out, encoding="utf-8")
    return code, out, err


def test_readme_has_examples() -> None:
    cmds = readme_commands()
    assert len(cmds) >= 15
    for verb in ("estimate", "cards", "study", "validate", "hardware", "grid", "params"):
        assert any(c.split()[1] == verb for c in cmds), verb


@pytest.mark.slow
@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    code, out, err = run_example(capsys, line, tmp_path, monkeypatch)
    assert code == 0, f"{line}\n{err}"
    assert "Traceback" not in err and "internal error" not in err
    assert out.strip() or any(tmp_path.iterdir()), line


def test_help_has_examples() -> None:
    assert {name for name, _ in help_examples()} >= {"estimate", "cards"}


@pytest.mark.parametrize(("command", "line"), help_examples())
def test_help_example_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch, command: str, line: str) -> None:
    code, _, err = run_example(capsys, line, tmp_path, monkeypatch)
    assert code == 0, f"trainlca {command} --help example: {line}\n{err}"
    assert "Traceback" not in err and "internal error" not in err


def test_readme_python_snippet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    snippets = _blocks(text, "python")
    assert snippets, "the README's Python API example"
    monkeypatch.chdir(tmp_path)
    for code in snippets:
        namespace: dict[str, object] = {}
        exec(compile(code, "README.md", "exec"), namespace)


def test_api_docstring_examples() -> None:
    import doctest

    import trainlca.api

    result = doctest.testmod(trainlca.api)
    assert result.attempted >= 2 and result.failed == 0

"""Outputs are regular files or new paths, written atomically; OS errors are user errors
(exit 2, one line, nothing left behind); SIGINT/SIGTERM exit 130/143 with one line."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clitools import run_cli
from trainlca.errors import OutputError
from trainlca.io import save, write_atomic

DATA = Path(__file__).parent / "data"


def _one_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("trainlca: error: "), err
    for w in words:
        assert w in err, (w, err)


def test_special_files_are_never_replaced(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        before = target.stat()
        code, _, err = run_cli(capsys, "cards", "--out", str(target), "--force")
        assert code == 2
        _one_line(err, "not a regular file")
        after = target.stat()
        assert (after.st_mode, after.st_ino, after.st_rdev) == (
            before.st_mode, before.st_ino, before.st_rdev)
    code, _, err = run_cli(capsys, "estimate", "-H", "A100", "-n", "8", "--hours", "10",
                           "--plot", os.devnull, "--force")
    assert code == 2
    _one_line(err, "not a regular file")


def test_path_under_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = run_cli(capsys, "cards", "--out", str(f / "cards.csv"))
    assert code == 2
    _one_line(err, "is a file")


@pytest.mark.parametrize("error", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_os_errors_are_user_errors_and_leave_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     error: int) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=os.strerror(error)):
        write_atomic(tmp_path / "out.csv", "a,b\n")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError):
        save(tmp_path / "out.csv", b"x")


def test_cards_out_os_error_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = run_cli(capsys, "cards", "--out", str(tmp_path / "c.csv"))
    assert code == 2
    _one_line(err, "Read-only file system")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code", "word"), [(signal.SIGINT, 130, "interrupted"),
                                                    (signal.SIGTERM, 143, "terminated")])
def test_signals_exit_cleanly(tmp_path: Path, sig: int, code: int, word: str) -> None:
    out = tmp_path / "study"
    cmd = [sys.executable, "-c", "from trainlca.cli import main; main()", "study", "--data",
           str(DATA / "epoch_runs.csv"), "--out", str(out), "--draws", "20000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the study finished before the signal")
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == f"trainlca: error: {word}; nothing was written"
    assert "Traceback" not in err and "Exception ignored" not in err
    assert not out.exists() or not any(out.iterdir())
    assert not any(p.name.startswith(".study") for p in tmp_path.iterdir())


def test_force_replaces_the_whole_study_output_set(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    out = tmp_path / "study"
    code, _, err = run_cli(capsys, "study", "--data", str(DATA / "epoch_runs.csv"), "--out",
                           str(out), "--draws", "0")
    assert code == 0, err
    assert (out / "report.html").exists() and (out / "figures").is_dir()
    (out / "mine.txt").write_text("keep")
    code, _, err = run_cli(capsys, "study", "--data", str(DATA / "epoch_runs.csv"), "--out",
                           str(out), "--draws", "0", "--no-figures", "--force", "-p", "tdp-pue")
    assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert "report.html" not in names and "figures" not in names  # no stale outputs
    assert "mine.txt" in names and "systems.csv" in names

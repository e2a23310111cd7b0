"""Fuzz bookkeeping: cases tried per kind, printed as a table at the end of the session.

Imported by ``tests/conftest.py`` (for the ``pytest_terminal_summary`` hook) and by the fuzz test
modules (:func:`count`). Each fuzz test also asserts its own count, so the total is enforced
even when the summary is not read.
"""

from __future__ import annotations

import contextlib
import io
import traceback
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings

FUZZ_COUNTS: Counter[str] = Counter()
#: failures seen (kind → short description); a failing test also raises, this is for the table.
FUZZ_FAILURES: Counter[str] = Counter()

#: bounded and reproducible: fixed derandomised examples, no example database, no deadline.
FUZZ_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much],
}


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, **FUZZ_SETTINGS)


def count(kind: str) -> None:
    FUZZ_COUNTS[kind] += 1


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None


def run_cli(argv: list[str]) -> CliResult:
    """``trainlca.cli.main(argv)`` in-process: exit code, captured output, and any exception
    other than SystemExit that escaped (with its traceback in ``stderr``)."""
    from trainlca.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    exc: BaseException | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception as e:  # an escape: the harness reports it as a failure
            exc = e
            code = -1
            err.write(traceback.format_exc())
    return CliResult(code, out.getvalue(), err.getvalue(), exc)


def check_cli_contract(r: CliResult, argv: list[str]) -> None:
    """Exit 0, or exit 2 with exactly one stderr line starting ``trainlca: error:``; never a
    traceback, never an internal error (exit 1), never an escaped exception."""
    where = f"argv={argv!r}\nstderr={r.stderr[-2000:]!r}"
    assert r.exception is None, f"exception escaped main(): {r.exception!r}\n{where}"
    assert "Traceback" not in r.stderr, where
    assert r.code in (0, 2), f"exit {r.code}\n{where}"
    if r.code == 2:
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("trainlca: error: "), where


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FUZZ_COUNTS:
        return
    tr = terminalreporter
    tr.section("fuzz cases per kind")
    width = max(len(k) for k in FUZZ_COUNTS)
    for kind, n in sorted(FUZZ_COUNTS.items()):
        tr.write_line(f"{kind:<{width}}  {n:>6}")
    tr.write_line(f"{'total':<{width}}  {sum(FUZZ_COUNTS.values()):>6}")

"""The ``trainlca`` command: thin layer over the library (parses, calls, prints).

Every user error ends as one line on stderr (``trainlca: error: ...``) and exit code 2, with no
traceback. Set ``TRAINLCA_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import os
import signal
import sys

import click

from trainlca import __version__
from trainlca.errors import TrainLCAError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trainlca")
def cli() -> None:
    """Life-cycle impacts (GWP, ADPe, PE, water) of training ML models."""


def _register() -> None:
    # Each command lives in its own module; importing it registers it on ``cli``.
    from trainlca.cli import catalog_cmds, estimate_cmd  # noqa: F401

    for optional in ("cards_cmd", "study_cmd", "validate_cmd"):
        try:
            __import__(f"trainlca.cli.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"trainlca.cli.{optional}":
                raise


def fail(message: str, code: int = 2) -> None:
    """Print one error line and exit (any line break in ``message``, e.g. from an argument
    holding ``\r``, becomes a space)."""
    message = " ".join(message.splitlines())
    click.echo(f"trainlca: error: {message}", err=True)
    sys.exit(code)


class Interrupted(BaseException):
    """SIGINT or SIGTERM during a command (a BaseException, so that no ``except Exception``
    swallows it and every ``finally`` removes what was half-written)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


#: Exit codes of an interrupted command: 128 + the signal number, as shells report it.
SIGNAL_EXIT: dict[int, tuple[int, str]] = {signal.SIGINT: (130, "interrupted"),
                                           signal.SIGTERM: (143, "terminated")}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``trainlca`` script (``argv`` None: the process's own arguments)."""
    try:
        previous = {s: signal.signal(s, _on_signal) for s in SIGNAL_EXIT}
    except ValueError:  # not the main thread: leave the signals alone
        previous = {}
    try:
        _main(argv)
    except Interrupted as exc:
        code, what = SIGNAL_EXIT.get(exc.signum, (130, "interrupted"))
        _quiet_exit(argv)
        fail(f"{what}; nothing was written", code)
    finally:
        if argv is not None:  # called in-process (tests, notebooks): put the handlers back
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        else:  # the script: a signal during interpreter shutdown must not print a traceback
            _quiet_exit(argv)


def _quiet_exit(argv: list[str] | None) -> None:
    if argv is None:
        for s in SIGNAL_EXIT:
            signal.signal(s, signal.SIG_IGN)


def _main(argv: list[str] | None) -> None:
    _register()
    args = sys.argv[1:] if argv is None else argv
    if not args:  # no command: the help, as `trainlca --help` (not an error)
        with click.Context(cli, info_name="trainlca") as ctx:
            click.echo(cli.get_help(ctx))
        sys.exit(0)
    try:
        cli.main(args=args, prog_name="trainlca", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.ClickException as exc:
        msg = exc.format_message().replace("\n", " ")
        fail(f"{msg} (see `trainlca --help`)")
    except TrainLCAError as exc:
        fail(str(exc).replace("\n", " "))
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # an unexpected bug: one line unless debugging
        if os.environ.get("TRAINLCA_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set TRAINLCA_DEBUG=1 for details; "
             "please report it)", 1)

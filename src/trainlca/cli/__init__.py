"""The ``trainlca`` command: thin layer over the library (parses, calls, prints).

Every user error ends as one line on stderr (``trainlca: error: ...``) and exit code 2, with no
traceback. Set ``TRAINLCA_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import os
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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``trainlca`` script."""
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

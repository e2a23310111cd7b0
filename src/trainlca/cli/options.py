"""Options shared by the commands that run the model (estimate, cards, study), and the console.

One definition each, so that their names, defaults and help texts cannot drift apart.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format.",
)
preset_option = click.option(
    "--preset", "-p", default="default", show_default=True,
    help="Boundary and defaults: default, mlca, tdp-pue, bloom (see `trainlca presets`).",
)
set_option = click.option(
    "--set", "sets", multiple=True, metavar="NAME=VALUE",
    help="Override a parameter (repeatable), e.g. --set pue=1.3 (see `trainlca params`).",
)
grid_option = click.option(
    "--grid", "grid_path", type=click.Path(dir_okay=False),
    help="CSV of grid factors instead of EcoLogits' table (MLCA's format or zone,gwp,adpe,pe,wu).",
)
server_option = click.option(
    "--server", metavar="NAME|FILE",
    help="Host server of every run: an archetype (e.g. hgx-h100) or a BoaviztAPI/MLCA server "
    "JSON/YAML (default: each chip's platform; list: `trainlca servers`).")
seed_option = click.option("--seed", default=None, type=int,
                           help="Random seed of the Monte Carlo draws (default fixed).")


def draws_option(default: int, what: str) -> Callable[[F], F]:
    """``--draws`` with a command's own default and meaning."""
    return click.option("--draws", default=default, show_default=True, type=int,
                        help=f"Monte Carlo draws {what} (0 = point values only).")


def parse_sets(values: tuple[str, ...]) -> dict[str, float]:
    """``--set name=value`` options → overrides (ParameterError on a malformed one)."""
    from trainlca.params import parse_override

    out: dict[str, float] = {}
    for v in values:
        name, value = parse_override(v)
        out[name] = value
    return out


def resolve_seed(seed: int | None) -> int:
    """``--seed`` or the fixed default seed."""
    from trainlca.uncertainty import DEFAULT_SEED, check_seed

    return DEFAULT_SEED if seed is None else check_seed(seed)


def console() -> Console:
    """A rich console as wide as the terminal (80 columns when piped)."""
    from rich.console import Console

    return Console(width=shutil.get_terminal_size((80, 24)).columns, emoji=False)


def warn(message: str) -> None:
    """One warning line on stderr (an option that has no effect, a doubtful input)."""
    click.echo(f"trainlca: warning: {' '.join(message.splitlines())}", err=True)


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Callback of a float option: ``nan`` and ``inf`` are rejected with one line."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a finite number", ctx, param)
    return value

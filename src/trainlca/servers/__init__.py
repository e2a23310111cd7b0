"""Host servers of AI accelerators: sourced archetypes, user-described servers, and their
production and power (METHOD §3, docs/servers.md).

- :func:`load_server` — an archetype by id (``hgx-h100``…) or a JSON/YAML file in BoaviztAPI's
  or MLCA's schema;
- :func:`default_server` — a catalogue chip's default platform (one rule,
  :func:`~trainlca.servers.choice.default_server_id`);
- :func:`host_production` / :func:`host_power_w` — a whole server's production impacts and its
  CPU + RAM power, vectorised over parameter draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from trainlca.errors import ParameterError
from trainlca.servers.archetypes import ARCHETYPES_PATH, archetypes, read_archetypes
from trainlca.servers.choice import default_server_id
from trainlca.servers.components import BOAVIZTA_COMPONENTS, BOAVIZTA_SOURCE
from trainlca.servers.config import load_server_file, server_from_dict
from trainlca.servers.impacts import (
    HOST_CRITERIA,
    component_production,
    host_power_w,
    host_production,
)
from trainlca.servers.model import Cell, Cpu, Disk, Ram, Server

if TYPE_CHECKING:
    from trainlca.catalog import Accelerator

__all__ = [
    "ARCHETYPES_PATH",
    "BOAVIZTA_COMPONENTS",
    "BOAVIZTA_SOURCE",
    "HOST_CRITERIA",
    "Cell",
    "Cpu",
    "Disk",
    "Ram",
    "Server",
    "archetypes",
    "component_production",
    "default_server",
    "default_server_id",
    "host_power_w",
    "host_production",
    "load_server",
    "read_archetypes",
    "server_from_dict",
]


def load_server(name_or_path: str | Path | Server, *, accelerators: int | None = None) -> Server:
    """An archetype by id, or the server of a JSON/YAML file (BoaviztAPI or MLCA schema).

    ``accelerators`` overrides the accelerators per server (required for a file that does not
    say it, e.g. an MLCA verbose result). A Server is returned as it is.
    """
    if isinstance(name_or_path, Server):
        return name_or_path
    text = str(name_or_path).strip()
    table = archetypes()
    if text in table and not Path(text).is_file():
        server = table[text]
        if accelerators is not None and accelerators != server.accelerators:
            raise ParameterError(f"server {text} carries {server.accelerators} accelerators; "
                                 "describe another server in a file to change it")
        return server
    path = Path(text)
    if path.suffix.lower() in (".json", ".yaml", ".yml") or path.is_file():
        return load_server_file(path, accelerators=accelerators)
    raise ParameterError(f"unknown server '{text}': give an archetype ({', '.join(table)}) or a "
                         "JSON/YAML file in BoaviztAPI's or MLCA's server schema")


def default_server(acc: Accelerator) -> Server:
    """The default host archetype of a catalogue chip (by type, name and node size)."""
    return archetypes()[default_server_id(acc.type, acc.name, acc.node_size)]

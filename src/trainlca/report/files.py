"""Output files of the report package: checks before any work, then atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

from trainlca.errors import TrainLCAError


class OutputError(TrainLCAError):
    """An output path that cannot be written: existing file without ``--force``, a folder that
    is not writable, an unknown file extension."""


def check_output(path: str | Path, *, force: bool = False,
                 suffixes: tuple[str, ...] | None = None) -> Path:
    """Check that ``path`` can be written (before computing anything); returns it as a Path.

    Raises:
        OutputError: ``path`` exists and ``force`` is False; it is a folder; its suffix is not
            one of ``suffixes``; its folder exists but is not writable, or is a file.
    """
    p = Path(path)
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise OutputError(
            f"{p}: unknown file type '{p.suffix or '(none)'}'; use one of {', '.join(suffixes)}"
        )
    if p.is_dir():
        raise OutputError(f"{p} is a folder; give a file name")
    if p.exists() and not force:
        raise OutputError(f"{p} exists; use --force to overwrite it")
    check_dir(p.parent)
    return p


def check_dir(folder: str | Path) -> Path:
    """Check that ``folder`` is (or can be created as) a writable folder."""
    d = Path(folder) if str(folder) else Path(".")
    existing = d
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise OutputError(f"{d}: cannot write there, {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{d}: folder is not writable")
    return d


def save(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` atomically (temporary file + rename); OSError → :class:`OutputError`."""
    from trainlca.cli.output import write_atomic

    p = Path(path)
    try:
        write_atomic(p, data)
    except OSError as exc:
        raise OutputError(f"{p}: cannot write: {exc.strerror or exc}") from None
    return p

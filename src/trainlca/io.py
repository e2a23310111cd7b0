"""Output files, safe and atomic — used by the library and the CLI alike.

Every output is checked before any work (:func:`check_output`, :func:`check_dir`) and written
through a temporary file in the target's folder and an atomic rename (:func:`write_atomic`), so
a reader never sees half a file and a failure leaves the target as it was. An OS error while
writing is a user error (:class:`~trainlca.errors.OutputError`), never a traceback.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from trainlca.errors import OutputError

__all__ = ["OutputError", "check_dir", "check_folder", "check_output", "check_regular", "save",
           "write_atomic"]


def check_output(path: str | Path, *, force: bool = False,
                 suffixes: tuple[str, ...] | None = None) -> Path:
    """Check that ``path`` can be written (before computing anything); returns it as a Path.

    Raises:
        OutputError: ``path`` exists and ``force`` is False; it is a folder; its suffix is not
            one of ``suffixes``; its folder exists but is not writable, or is a file.
    """
    if not str(path).strip():
        raise OutputError("empty file name; give the path of the file to write")
    p = Path(path)
    check_regular(p)
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


def check_regular(path: Path) -> None:
    """An output must be a new path or a regular file: never a device, a FIFO or a socket
    (``--out /dev/null --force`` must not replace ``/dev/null``), nor a link to nothing."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new path (check_dir judges its folder)
        if path.is_symlink():
            raise OutputError(f"{path} is a symbolic link to nothing; give a file name") from None
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder; give a file name")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path} is not a regular file (a device, FIFO or socket); give a "
                          "file name")


def check_folder(folder: str, *, force: bool = False, holds: Iterable[str] = ()) -> Path:
    """Check that ``folder`` can receive a set of outputs (before computing anything): a new
    path, or an existing folder that holds none of ``holds`` unless ``force``, under a writable
    parent; never a file, a link to nothing or an empty name. Returns it as a Path.

    Raises:
        OutputError: one of the above, worded after the folder's path.
    """
    if not folder.strip():
        raise OutputError("empty folder name; give the folder to write into")
    out = Path(folder)
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: a symbolic link to nothing; choose another path")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a directory; choose another path")
    if out.is_dir() and not force and any((out / f).exists() for f in holds):
        raise OutputError(f"{out}: already holds results; add --force to replace them or "
                          "choose another directory")
    check_dir(out)
    return out


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


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file in the same folder and an atomic rename, with the
    usual permissions (mkstemp's 0600, relaxed by the umask as ``open`` would).

    Raises:
        OutputError: the target is not a regular file, or the system refused (read-only file
            system, full disk, no permission, a path under a file): nothing is left behind.
    """
    check_regular(path)
    try:
        _write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _write_atomic(path: Path, data: str | bytes) -> None:
    if path.is_symlink():  # write the file the link names; the link stays a link
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` atomically (temporary file + rename); returns the path."""
    p = Path(path)
    write_atomic(p, data)
    return p

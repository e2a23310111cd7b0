"""Metadata fit to share: what the study writes and the report shows never holds a path of
this machine (the Epoch file is named by its file name, its sha256 beside it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PureWindowsPath
from typing import Any

__all__ = ["public_meta"]


def public_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The study's metadata fit to share: the Epoch file named by its file name (its sha256
    is beside it) unless it is a URL, and any other absolute local path replaced by its file
    name; everything else unchanged."""
    out = {k: _public(v) for k, v in meta.items()}
    epoch = out.get("epoch")
    if isinstance(epoch, dict) and isinstance(epoch.get("source"), str) \
            and "://" not in epoch["source"]:
        epoch["source"] = _file_name(epoch["source"])
    return out


def _file_name(path: str) -> str:
    return PureWindowsPath(path).name if "\\" in path else Path(path).name


def _public(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {k: _public(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_public(x) for x in v]
    if isinstance(v, str) and _is_local_path(v):
        return _file_name(v)
    return v


def _is_local_path(s: str) -> bool:
    """An absolute path of this machine: ``/…``, ``~/…``, ``C:\\…`` or ``file:…`` (one line)."""
    return (s.startswith(("/", "~/", "file:")) or PureWindowsPath(s).drive != "") \
        and "\n" not in s

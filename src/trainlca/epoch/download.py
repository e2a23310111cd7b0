"""Download Epoch AI's public CSV into a user cache, never leaving a half-written file.

Location: ``$TRAINLCA_CACHE/epoch`` if the variable is set, else ``pooch.os_cache("trainlca")``
(the platform's user cache directory, e.g. ``~/.cache/trainlca``) ``/epoch``.

Protocol: the body is streamed into a temporary ``*.part`` file in the cache directory, checked
(byte count equals Content-Length when the server sent one; non-empty; ends with a newline; parses
as CSV with the required columns; the last record has as many fields as the header), then renamed
atomically over the cached file. A sidecar ``<file>.json`` records URL, sha256, size, row count
and UTC download time. Any failure deletes the temporary file and raises
:class:`~trainlca.errors.DataFileError`. A cached file is reused without network unless
``refresh=True`` (ignored when ``offline``); if its sha256 no longer matches the sidecar it is
treated as absent (a file without sidecar, e.g. copied in by hand, is trusted).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pooch

from trainlca.errors import DataFileError

EPOCH_NOTABLE_URL = "https://epoch.ai/data/notable_ai_models.csv"
EPOCH_DATA_PAGE = "https://epoch.ai/data"
CACHE_ENV = "TRAINLCA_CACHE"
TIMEOUT_S = 60.0
_CHUNK = 1 << 16


def default_cache_dir() -> Path:
    """``$TRAINLCA_CACHE/epoch`` or the platform user cache ``…/trainlca/epoch``."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env).expanduser() if env else Path(pooch.os_cache("trainlca"))
    return base / "epoch"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class CachedFile:
    path: Path
    sha256: str
    url: str
    downloaded_at: str
    from_cache: bool


def _cache_paths(url: str, cache_dir: Path) -> tuple[Path, Path]:
    name = Path(urlparse(url).path).name or "epoch.csv"
    return cache_dir / name, cache_dir / (name + ".json")


def _read_sidecar(meta: Path) -> dict[str, object] | None:
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fail(url: str, reason: str) -> DataFileError:
    return DataFileError(
        f"cannot download Epoch AI data from {url} ({reason}); "
        f"pass a local file with --data PATH (download it from {EPOCH_DATA_PAGE})"
    )


def validate_csv_bytes(path: Path, required: list[str] | None = None) -> int:
    """Check that ``path`` is a complete CSV; return its number of data records.

    ``required``: header names that must be present (compared case-insensitively); by default
    the schema map's own check is applied (see :func:`trainlca.epoch.schema.resolve_columns`).
    """
    from trainlca.epoch.schema import resolve_columns

    raw = path.read_bytes()
    if not raw.strip():
        raise DataFileError("downloaded file is empty")
    if not raw.endswith((b"\n", b"\r")):
        raise DataFileError("downloaded file is truncated (last line incomplete)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
        n_rows = 0
        last: list[str] | None = None
        for rec in reader:
            if rec:
                n_rows += 1
                last = rec
    except (csv.Error, StopIteration) as exc:
        raise DataFileError(f"downloaded file is not valid CSV ({exc})") from exc
    if required is None:
        resolve_columns(header)
    else:
        have = {h.strip().casefold() for h in header}
        lacking = [r for r in required if r.casefold() not in have]
        if lacking:
            raise DataFileError("downloaded file lacks column(s): " + ", ".join(lacking))
    if n_rows == 0 or last is None:
        raise DataFileError("downloaded file has a header but no rows")
    if len(last) != len(header):
        raise DataFileError(
            f"downloaded file is truncated (last record has {len(last)} of {len(header)} fields)"
        )
    return n_rows


def _download_to(url: str, fh: io.BufferedWriter) -> tuple[int, int | None]:
    req = urllib.request.Request(url, headers={"User-Agent": "trainlca (python urllib)"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
        length_header = resp.headers.get("Content-Length")
        expected = int(length_header) if length_header and length_header.isdigit() else None
        got = 0
        while True:
            chunk = resp.read(_CHUNK)
            if not chunk:
                break
            fh.write(chunk)
            got += len(chunk)
    return got, expected


def fetch(
    url: str = EPOCH_NOTABLE_URL,
    *,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    expected_sha256: str | None = None,
) -> CachedFile:
    """Return the cached copy of ``url``, downloading it first when needed (see module doc).

    ``expected_sha256``: the file must have this sha256; a cached copy that differs is treated
    as absent, and a download that differs is rejected (never cached).
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target, meta_path = _cache_paths(url, cache_dir)
    want = expected_sha256.strip().lower() if expected_sha256 else None
    if target.is_file() and (not refresh or offline):  # offline: refresh cannot happen
        cached = _cached(url, target, meta_path, want, offline)
        if cached is not None:
            return cached
    if offline:
        raise _fail(url, "offline mode and no cached copy")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(url, f"cannot create cache directory {cache_dir}: {exc}") from exc
    return _download(url, target, meta_path, cache_dir, want)


def _cached(url: str, target: Path, meta_path: Path, want: str | None,
            offline: bool) -> CachedFile | None:
    """The cached copy when its bytes are what its sidecar records (and ``want``); None when
    they differ (offline: an error, as nothing can replace it)."""
    meta = _read_sidecar(meta_path)
    sha = sha256_file(target)
    if (meta is None or meta.get("sha256") == sha) and want in (None, sha):
        return CachedFile(
            path=target,
            sha256=sha,
            url=str(meta.get("url", url)) if meta else url,
            downloaded_at=str(meta.get("downloaded_at", "")) if meta else "",
            from_cache=True,
        )
    if offline:  # cached bytes differ from what we recorded or expect: do not trust them
        raise _fail(url, "offline, and the cached copy does not match its "
                    + ("expected" if want not in (None, sha) else "recorded") + " sha256")
    return None


def _download(url: str, target: Path, meta_path: Path, cache_dir: Path,
              want: str | None) -> CachedFile:
    """Download into a temporary file beside ``target``, check it (length, CSV, sha256),
    then rename it and its sidecar into place; a failure leaves nothing."""
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=cache_dir)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                got, expected = _download_to(url, fh)
                fh.flush()
                os.fsync(fh.fileno())
        except urllib.error.HTTPError as exc:
            raise _fail(url, f"HTTP {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise _fail(url, str(exc.reason)) from exc
        except (OSError, ValueError) as exc:  # IncompleteRead, timeouts, resets, bad URL
            raise _fail(url, f"{type(exc).__name__}: {exc}") from exc
        if expected is not None and got != expected:
            raise _fail(url, f"truncated download: {got} of {expected} bytes")
        try:
            n_rows = validate_csv_bytes(tmp)
        except DataFileError as exc:
            raise _fail(url, str(exc)) from exc
        sha = sha256_file(tmp)
        if want is not None and sha != want:
            raise _fail(url, f"sha256 mismatch: got {sha}, expected {want}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        meta_obj = {"url": url, "sha256": sha, "downloaded_at": now, "bytes": got,
                    "content_length": expected, "rows": n_rows}
        fd2, meta_tmp = tempfile.mkstemp(prefix=meta_path.name + ".", suffix=".part", dir=cache_dir)
        with os.fdopen(fd2, "w", encoding="utf-8") as mfh:
            json.dump(meta_obj, mfh, indent=2)
        os.replace(tmp, target)
        os.replace(meta_tmp, meta_path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return CachedFile(path=target, sha256=sha, url=url, downloaded_at=now, from_cache=False)

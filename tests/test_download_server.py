"""Loopback HTTP server: good, truncated and wrong-hash files; the cache never keeps a bad one.

Truncation and short reads are covered one by one in ``test_epoch_download.py`` (whose server is
reused here); this file adds the caller-given ``expected_sha256`` and a sequence of bad
responses against one cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from test_epoch_download import GOOD, TRUNCATED, Server, files
from test_epoch_download import server as server  # the loopback-server fixture
from trainlca.epoch import fetch, load_epoch
from trainlca.errors import DataFileError

GOOD_SHA = hashlib.sha256(GOOD).hexdigest()
# a complete, valid CSV whose bytes differ from GOOD (one row dropped): only the hash tells
OTHER = GOOD[: GOOD.rindex(b"\n", 0, len(GOOD) - 1) + 1]


CACHED = ["notable_ai_models.csv", "notable_ai_models.csv.json"]


def test_expected_hash_accepts_the_good_file(server: Server, tmp_path: Path) -> None:
    d = load_epoch(url=server.url("good"), cache_dir=tmp_path, expected_sha256=GOOD_SHA.upper())
    assert d.sha256 == GOOD_SHA and files(tmp_path) == CACHED


def test_wrong_hash_is_rejected_and_not_kept(server: Server, tmp_path: Path) -> None:
    server.routes["/good/notable_ai_models.csv"] = (OTHER, None)
    with pytest.raises(DataFileError, match="sha256 mismatch") as e:
        load_epoch(url=server.url("good"), cache_dir=tmp_path, expected_sha256=GOOD_SHA)
    assert "\n" not in str(e.value) and "--data PATH" in str(e.value)
    assert files(tmp_path) == []  # no file, no sidecar, no *.part


def test_cached_copy_with_other_hash_is_replaced(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    server.routes["/good/notable_ai_models.csv"] = (OTHER, None)
    fetch(url, cache_dir=tmp_path)  # caches OTHER (no expectation given)
    with pytest.raises(DataFileError, match="expected sha256"):
        fetch(url, cache_dir=tmp_path, offline=True, expected_sha256=GOOD_SHA)
    server.routes["/good/notable_ai_models.csv"] = (GOOD, None)
    c = fetch(url, cache_dir=tmp_path, expected_sha256=GOOD_SHA)
    assert not c.from_cache and c.sha256 == GOOD_SHA
    assert (tmp_path / "notable_ai_models.csv").read_bytes() == GOOD
    assert fetch(url, cache_dir=tmp_path, expected_sha256=GOOD_SHA).from_cache


def test_bad_responses_never_replace_a_good_cache(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    fetch(url, cache_dir=tmp_path, expected_sha256=GOOD_SHA)
    for body, length in ((TRUNCATED, None), (OTHER, None), (GOOD[:100], len(GOOD)),
                         (b"", None), (b"Model\n", None)):
        server.routes["/good/notable_ai_models.csv"] = (body, length)
        with pytest.raises(DataFileError):
            fetch(url, cache_dir=tmp_path, refresh=True, expected_sha256=GOOD_SHA)
        assert files(tmp_path) == CACHED
        assert (tmp_path / "notable_ai_models.csv").read_bytes() == GOOD
    assert fetch(url, cache_dir=tmp_path, offline=True, expected_sha256=GOOD_SHA).from_cache

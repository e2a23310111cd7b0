"""Download and cache, against a loopback-only HTTP server (never the internet)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from trainlca.epoch import default_cache_dir, fetch, load_epoch
from trainlca.errors import DataFileError

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "epoch_runs.csv").read_bytes()
# cut in the middle of the last record: Content-Length matches, the CSV does not
TRUNCATED = GOOD[: GOOD.rindex(b"\n", 0, len(GOOD) - 1) + 15]


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, int | None]] = {
            "/good/notable_ai_models.csv": (GOOD, None),
            "/truncated/notable_ai_models.csv": (TRUNCATED, None),
            # announces more bytes than it sends, then closes the connection
            "/short/notable_ai_models.csv": (GOOD[:200], len(GOOD)),
            "/missing-cols/notable_ai_models.csv": (b"a,b\n1,2\n", None),
        }
        self.hits: list[str] = []
        routes, hits = self.routes, self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                if self.path not in routes:
                    self.send_error(404)
                    return
                body, length = routes[self.path]
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(length if length else len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, route: str) -> str:
        return f"http://127.0.0.1:{self.port}/{route}/notable_ai_models.csv"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    s = Server()
    yield s
    s.stop()


def files(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def test_good_download_cached_with_sha(server: Server, tmp_path: Path) -> None:
    import hashlib

    url = server.url("good")
    d = load_epoch(url=url, cache_dir=tmp_path)
    assert len(d) == 19 and d.source == url
    sha = hashlib.sha256(GOOD).hexdigest()
    assert d.sha256 == sha
    assert files(tmp_path) == ["notable_ai_models.csv", "notable_ai_models.csv.json"]
    meta = json.loads((tmp_path / "notable_ai_models.csv.json").read_text())
    assert meta["sha256"] == sha and meta["url"] == url
    assert meta["bytes"] == len(GOOD) and meta["rows"] == 19
    assert meta["downloaded_at"].endswith("+00:00")
    assert (tmp_path / "notable_ai_models.csv").read_bytes() == GOOD

    # second call: served from the cache with the server gone
    server.stop()
    d2 = load_epoch(url=url, cache_dir=tmp_path)
    assert d2.sha256 == sha and d2.downloaded_at == meta["downloaded_at"]
    assert server.hits == ["/good/notable_ai_models.csv"]
    assert load_epoch(url=url, cache_dir=tmp_path, offline=True).sha256 == sha
    assert fetch(url, cache_dir=tmp_path, offline=True, refresh=True).from_cache


def test_refresh_downloads_again(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    fetch(url, cache_dir=tmp_path)
    c = fetch(url, cache_dir=tmp_path, refresh=True)
    assert not c.from_cache and len(server.hits) == 2


@pytest.mark.parametrize("route", ["truncated", "short", "missing-cols"])
def test_bad_download_rejected_and_not_kept(server: Server, tmp_path: Path, route: str) -> None:
    with pytest.raises(DataFileError, match="cannot download Epoch AI data from") as e:
        load_epoch(url=server.url(route), cache_dir=tmp_path)
    msg = str(e.value)
    assert "\n" not in msg and "--data PATH" in msg
    assert files(tmp_path) == []  # no partial file, no sidecar


def test_bad_refresh_keeps_previous_good_copy(server: Server, tmp_path: Path) -> None:
    good = server.url("good")
    fetch(good, cache_dir=tmp_path)
    server.routes["/good/notable_ai_models.csv"] = (TRUNCATED, None)
    with pytest.raises(DataFileError):
        fetch(good, cache_dir=tmp_path, refresh=True)
    assert (tmp_path / "notable_ai_models.csv").read_bytes() == GOOD
    assert files(tmp_path) == ["notable_ai_models.csv", "notable_ai_models.csv.json"]


def test_no_network_no_cache(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    server.stop()
    with pytest.raises(DataFileError) as e:
        load_epoch(url=url, cache_dir=tmp_path)
    msg = str(e.value)
    assert msg.startswith(f"cannot download Epoch AI data from {url} (")
    assert msg.endswith(
        "pass a local file with --data PATH (download it from https://epoch.ai/data)"
    )
    with pytest.raises(DataFileError, match="offline"):
        load_epoch(url=url, cache_dir=tmp_path / "x", offline=True)
    assert files(tmp_path) == []


def test_http_error(server: Server, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{server.port}/nothing/notable_ai_models.csv"
    with pytest.raises(DataFileError, match="HTTP 404"):
        load_epoch(url=url, cache_dir=tmp_path)


def test_tampered_cache_is_not_trusted(server: Server, tmp_path: Path) -> None:
    url = server.url("good")
    fetch(url, cache_dir=tmp_path)
    (tmp_path / "notable_ai_models.csv").write_bytes(TRUNCATED)
    with pytest.raises(DataFileError, match="does not match"):
        fetch(url, cache_dir=tmp_path, offline=True)
    c = fetch(url, cache_dir=tmp_path)  # re-downloaded
    assert not c.from_cache
    assert (tmp_path / "notable_ai_models.csv").read_bytes() == GOOD


def test_cache_location_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRAINLCA_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "epoch"
    monkeypatch.delenv("TRAINLCA_CACHE")
    assert default_cache_dir().parts[-2:] == ("trainlca", "epoch")

"""The home snapshot file: what the next start shows at once, and what it refuses to show."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tvclient.device.home_snapshot import MAX_BYTES, HomeSnapshot, SnapshotFile

ROWS = (
    {"productId": "movie-night", "title": "電影之夜", "priceText": "HK$38.00",
     "imageSource": "image://catalog/abc"},
    {"productId": "sports-pass", "title": "Sports pass", "priceText": "HK$88.00\nRp150.000",
     "imageSource": ""},
)


def test_a_saved_snapshot_comes_back_as_it_was(tmp_path: Path) -> None:
    """Rows, order, language and backend survive the round trip, CJK text included."""
    path = tmp_path / "cache" / "home.json"
    snapshot = HomeSnapshot("http://shop.test", "zh-HK", ROWS)
    SnapshotFile(path).save(snapshot)
    assert SnapshotFile(path).load() == snapshot
    assert not [p for p in path.parent.iterdir() if p.name != "home.json"]  # no temp left


def test_it_matches_only_its_own_backend_and_language() -> None:
    """A snapshot of another backend or in another language is not for this screen."""
    snapshot = HomeSnapshot("http://shop.test", "en", ROWS)
    assert snapshot.matches("http://shop.test", "en")
    assert not snapshot.matches("http://other.test", "en")
    assert not snapshot.matches("http://shop.test", "id")


def test_no_file_is_no_snapshot(tmp_path: Path) -> None:
    """A first start has none."""
    assert SnapshotFile(tmp_path / "home.json").load() is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"format": 99, "backend_url": "http://shop.test", "language": "en",
                    "rows": []}),
        json.dumps({"format": 1, "backend_url": 7, "language": "en", "rows": []}),
        json.dumps({"format": 1, "backend_url": "http://shop.test", "language": "en",
                    "rows": [{"title": 3}]}),
        json.dumps({"format": 1, "backend_url": "http://shop.test", "language": "en",
                    "rows": ["a row"]}),
        json.dumps({"format": 1, "backend_url": "http://shop.test", "language": "en",
                    "rows": [{"title": "x"}] * 1001}),
    ],
    ids=["not-json", "not-object", "other-format", "bad-backend", "bad-cell", "bad-row",
         "too-many-rows"],
)
def test_a_file_that_looks_wrong_is_ignored(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Anything but the expected shape is no snapshot (and says why at INFO), never an error."""
    path = tmp_path / "home.json"
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="tvclient.device.home_snapshot"):
        assert SnapshotFile(path).load() is None
    assert "ignoring" in caplog.text


def test_an_oversized_file_is_not_read(tmp_path: Path) -> None:
    """A file far larger than any home screen is skipped without parsing it."""
    path = tmp_path / "home.json"
    path.write_bytes(b" " * (MAX_BYTES + 1))
    assert SnapshotFile(path).load() is None


@pytest.mark.usefixtures("expect_log")
def test_an_unwritable_cache_warns_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The cache path is taken by a file: saving fails, the app goes on, one warning says so."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory", encoding="utf-8")
    store = SnapshotFile(blocker / "home.json")
    with caplog.at_level(logging.WARNING, logger="tvclient.device.home_snapshot"):
        store.save(HomeSnapshot("http://shop.test", "en", ROWS))
        store.save(HomeSnapshot("http://shop.test", "en", ROWS))
    assert caplog.text.count("cannot keep the home screen") == 1
    assert store.load() is None

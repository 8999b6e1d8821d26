"""The conversion cache: its size limit and least-recently-used eviction, damaged entries found and
made again, several renders sharing one small cache, and `plakat cache info` and `clear`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import ROOT, cut_to_people, dump_layout
from plakat import cache, fonts
from plakat.cache import CacheSettingError, cache_limit, checksum, parse_size
from plakat.cli import app
from plakat.fonts import FontRequest, prepare_font
from plakat.pipeline import render

KEYS = [c * 40 for c in "abcd"]
PEOPLE = ("Brigitte", "Tamara", "Markus")


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(folder))
    monkeypatch.delenv("PLAKAT_CACHE_MAX", raising=False)
    return folder


@pytest.fixture
def small_portraits(stadtbibliothek_data, tmp_path):
    """The billboard with three people whose portraits are a third of the shipped size on each
    side (a warning about their resolution, nothing more): conversions of milliseconds, not seconds."""
    data = cut_to_people(stadtbibliothek_data, *PEOPLE)
    for person in data["people"]:
        source = Path(person["portrait"])
        with Image.open(source) as image:
            image.reduce(3).save(tmp_path / source.name, quality=90)
        person["portrait"] = str(tmp_path / source.name)
    data["output"] = {"png": False}
    return data


def _store(folder, key, private, size=100, used=None):
    """A synthetic image entry of ``size`` bytes, last used ``used`` seconds since the epoch."""
    mine = cache.store(folder, key, "_2900", key.encode()[:1] * size, ".jpg", private)
    if used is not None:
        os.utime(_entry(folder, key), (used, used))
    return mine


def _entry(folder, key):
    return next(folder.glob(f"{key}_*.jpg"))


def _keys_left(folder):
    return sorted(entry.path.name[:40] for entry in cache.entries(folder))


@pytest.mark.parametrize(
    "text, size", [("123456", 123456), ("500MB", 500 * 1000**2), ("2GB", 2 * 1000**3), ("1.5 GiB", 3 * 1024**3 // 2)]
)
def test_sizes_are_read_with_and_without_units(text, size):
    assert parse_size(text) == size


def test_the_limit_defaults_and_a_bad_one_says_what_to_write(monkeypatch):
    monkeypatch.delenv("PLAKAT_CACHE_MAX", raising=False)
    assert cache_limit() == cache.DEFAULT_LIMIT == 2 * 1000**3
    monkeypatch.setenv("PLAKAT_CACHE_MAX", "lots")
    with pytest.raises(CacheSettingError, match="PLAKAT_CACHE_MAX='lots' is not a size.*500MB"):
        cache_limit()


def test_the_least_recently_used_entries_go_first(cache_folder, tmp_path, monkeypatch):
    private = tmp_path / "private"
    now = time.time()
    for age, key in zip((300, 200, 100), KEYS):
        _store(cache_folder, key, private, used=now - age)
    monkeypatch.setenv("PLAKAT_CACHE_MAX", "250")
    _store(cache_folder, KEYS[3], private)
    assert _keys_left(cache_folder) == [KEYS[2], KEYS[3]]


def test_a_hit_makes_an_entry_recent(cache_folder, tmp_path, monkeypatch):
    private = tmp_path / "private"
    now = time.time()
    for age, key in zip((300, 200, 100), KEYS):
        _store(cache_folder, key, private, used=now - age)
    found = cache.fetch(cache_folder, KEYS[0], ".jpg", tmp_path / "reader")
    assert found is not None and found[1] == "_2900" and found[0].read_bytes() == b"a" * 100
    assert _entry(cache_folder, KEYS[0]).stat().st_mtime > now - 10
    monkeypatch.setenv("PLAKAT_CACHE_MAX", "250")
    _store(cache_folder, KEYS[3], private)
    assert _keys_left(cache_folder) == [KEYS[0], KEYS[3]]


def test_the_entry_just_written_stays_even_over_the_limit(cache_folder, tmp_path, monkeypatch):
    private = tmp_path / "private"
    _store(cache_folder, KEYS[0], private, used=time.time() - 100)
    monkeypatch.setenv("PLAKAT_CACHE_MAX", "10")
    mine = _store(cache_folder, KEYS[1], private)
    assert _keys_left(cache_folder) == [KEYS[1]]
    # the writer's own copy stays readable after its entry is evicted by the next write
    _store(cache_folder, KEYS[2], private)
    assert _keys_left(cache_folder) == [KEYS[2]] and mine.read_bytes() == b"b" * 100


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_a_damaged_entry_is_found_removed_and_written_again(cache_folder, tmp_path, damage):
    private = tmp_path / "private"
    _store(cache_folder, KEYS[0], private, size=1000)
    entry = _entry(cache_folder, KEYS[0])
    data = bytearray(entry.read_bytes())
    entry.write_bytes(data[:500] if damage == "truncated" else data[:10] + bytes([data[10] ^ 1]) + data[11:])
    assert cache.fetch(cache_folder, KEYS[0], ".jpg", tmp_path / "reader") is None
    assert not entry.exists() and not (tmp_path / "reader" / entry.name).exists()


def _images(pdf) -> list[bytes]:
    with pikepdf.open(pdf) as document:
        return [
            image.read_raw_bytes()
            for page in document.pages
            for image in page.get_images().values()
            if image.get("/ColorSpace") == "/DeviceCMYK"
        ]


@pytest.mark.parametrize("damage", ["truncated", "flipped"])
def test_a_render_over_a_damaged_portrait_is_the_same_as_a_fresh_one(cache_folder, small_portraits, tmp_path, damage):
    layout = dump_layout(cut_to_people(small_portraits, PEOPLE[0]), tmp_path / "one.yaml")
    fresh = render(layout, tmp_path / "fresh").files[0].path
    (entry,) = cache_folder.glob("*.jpg")
    good = entry.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0x40
    entry.write_bytes(good[: len(good) // 2] if damage == "truncated" else bytes(data))
    again = render(layout, tmp_path / "again").files[0].path
    images = _images(again)
    assert len(images) == 1 and images == _images(fresh)
    assert entry.read_bytes() == good  # made again and kept


def test_a_damaged_font_is_converted_again(cache_folder, test_fonts, monkeypatch):
    request = FontRequest(test_fonts["cff_otf"])
    monkeypatch.setattr(fonts, "_scratch", None)  # a process of its own
    first = prepare_font(request).path.read_bytes()
    (entry,) = (cache_folder / "fonts").glob("*.ttf")
    assert entry.name.split(".")[1] == checksum(first)
    entry.write_bytes(first[:-100])

    converted = []
    convert = fonts._convert
    monkeypatch.setattr(fonts, "_convert", lambda *args: converted.append(1) or convert(*args))
    monkeypatch.setattr(fonts, "_memo", {})  # as in a new process
    monkeypatch.setattr(fonts, "_scratch", None)
    again = prepare_font(request)
    assert converted == [1] and again.path.read_bytes() == first and entry.read_bytes() == first


def test_two_renders_evicting_from_one_small_cache_both_succeed(small_portraits, cache_folder, tmp_path):
    layout = dump_layout(small_portraits, tmp_path / "three.yaml")
    # each converted portrait is larger than the limit: every write evicts every other entry
    env = os.environ | {"PLAKAT_CACHE_MAX": "1000", "PYTHONPATH": str(ROOT / "src")}
    renders = [
        subprocess.Popen(
            [sys.executable, "-m", "plakat", "render", str(layout), "-o", str(tmp_path / name)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("one", "two")
    ]
    for process in renders:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
    one, two = (_images(tmp_path / name / "three.pdf") for name in ("one", "two"))
    assert len(one) == 3 and one == two
    # whichever evicted last saw every other entry; two evicting at once may leave none
    assert len(cache.entries(cache_folder)) <= 1


def test_info_and_clear_touch_plakats_entries_only(cache_folder, tmp_path, monkeypatch):
    private = tmp_path / "private"
    _store(cache_folder, KEYS[0], private, used=1_000_000_000)
    _store(cache_folder, KEYS[1], private, size=50)
    cache.store(cache_folder / "fonts", "e" * 64, "", b"font" * 10, ".ttf", private)
    (cache_folder / "notes.txt").write_text("someone else's")
    (cache_folder / ".abc.part").write_bytes(b"being written")
    stale = cache_folder / "fonts" / ".def.part"
    stale.write_bytes(b"left by a killed render")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    monkeypatch.setenv("PLAKAT_CACHE_MAX", "500MB")

    result = CliRunner().invoke(app, ["cache", "info", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["folder"] == str(cache_folder) and info["limit"] == 500 * 1000**2
    assert info["kinds"] == {"fonts": {"entries": 1, "bytes": 40}, "images": {"entries": 2, "bytes": 150}}
    assert info["entries"] == 3 and info["bytes"] == 190
    assert info["oldest_use"] == "2001-09-09T01:46:40Z" and info["newest_use"] > "2026"
    assert "images      2  0.0 MB" in CliRunner().invoke(app, ["cache", "info"]).output

    result = CliRunner().invoke(app, ["cache", "clear"])
    assert result.exit_code == 0 and "removed 4 files" in result.output
    left = sorted(p.relative_to(cache_folder).as_posix() for p in cache_folder.rglob("*") if p.is_file())
    assert left == [".abc.part", "notes.txt"]
    assert json.loads(CliRunner().invoke(app, ["cache", "info", "--json"]).output)["entries"] == 0

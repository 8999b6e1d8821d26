"""plakat watch: the HTTP contract of the live preview (no browser), then the page in a real
headless Chromium (skipped only where chromium or chromedriver is not installed)."""

from __future__ import annotations

import http.client
import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from plakat.watch import Watch

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def watched(one_portrait_data, write_layout, tmp_path):
    """The one-portrait billboard served on a free port; its sheets split through text, so
    preflight has findings to mark. Yields (watch, layout path, layout data)."""
    one_portrait_data["preflight"]["sheets"] = {"columns": 3, "rows": 2}
    one_portrait_data["output"] = {"png_dpi": 10}  # the print files written by POST /render: small
    layout = write_layout(one_portrait_data, "watched.yaml")
    with Watch(layout, tmp_path / "out", port=0) as session:
        wait_for(lambda: status(session)["version"] >= 1)
        yield session, layout, one_portrait_data


def request(session: Watch, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    host, port = session.server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def status(session: Watch) -> dict:
    code, _headers, body = request(session, "GET", "/status.json")
    assert code == 200
    return json.loads(body)


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def save(layout: Path, text: str) -> None:
    layout.write_text(text, encoding="utf-8")


def break_headline(layout: Path) -> int:
    """Make the headline's text line invalid YAML ("text: Neu gesetzt: ..."); its line number."""
    lines = layout.read_text(encoding="utf-8").splitlines()
    start = lines.index("headline:")
    number = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("text: Neu gesetzt")) + 1
    lines[number - 1] += ": kaputt"
    save(layout, "\n".join(lines) + "\n")
    return number


def test_http_contract_and_live_updates(watched):
    session, layout, data = watched
    code, headers, body = request(session, "GET", "/")
    assert code == 200 and headers["Content-Type"].startswith("text/html") and b"/watch.js" in body
    assert request(session, "GET", "/watch.js")[0] == 200
    code, headers, picture = request(session, "GET", "/preview.png")
    assert code == 200 and headers["Content-Type"] == "image/png" and picture.startswith(PNG_SIGNATURE)
    small = request(session, "GET", "/preview.png?width=200")[2]
    assert small.startswith(PNG_SIGNATURE) and int.from_bytes(small[16:20], "big") == 200

    first = status(session)
    assert first["ok"] and first["errors"] == [] and first["version"] >= 1
    assert first["page"]["trim_mm"] == [3560.0, 2520.0] and first["page"]["splits"]["x"] == pytest.approx(
        [0.335, 0.665], abs=0.002
    )
    assert len(first["frames"]) == 1 and 0 < first["frames"][0]["focus"]["x"] < 1 and first["frames"][0]["ppi"] > 0
    marked = [f for f in first["findings"] if "at" in f]
    assert marked and all(0 <= f["at"]["x"] <= 1 and 0 <= f["at"]["y"] <= 1 for f in marked)

    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/%2e%2e/", f"/{layout}", "//etc/passwd",
                 "/layouts/stadtbibliothek.yaml", "/watched.yaml", "/nothing"):  # fmt: skip
        assert request(session, "GET", path)[0] == 404, path
    assert request(session, "GET", "/status.json", {"Host": "evil.example:80"})[0] == 421
    # the print files only on the page's own request
    assert request(session, "POST", "/render")[0] == 403
    assert request(session, "POST", "/render", {"Origin": "http://evil.example"})[0] == 403
    assert request(session, "GET", "/render")[0] == 404

    data["headline"]["text"] = "Neu gesetzt"
    save(layout, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    edited = wait_for(lambda: (s := status(session))["version"] > first["version"] and s)
    assert edited["ok"]
    assert request(session, "GET", "/preview.png")[2] != picture

    text = layout.read_text(encoding="utf-8")
    broken_line = break_headline(layout)
    broken = wait_for(lambda: (s := status(session))["version"] > edited["version"] and s)
    assert not broken["ok"] and broken["errors"]
    assert any(f"watched.yaml:{broken_line}:" in message for message in broken["errors"]), broken["errors"]
    assert request(session, "GET", "/preview.png")[0] == 200  # the last good picture stays

    save(layout, text)
    fixed = wait_for(lambda: (s := status(session))["version"] > broken["version"] and s)
    assert fixed["ok"] and fixed["errors"] == []


def test_post_render_writes_the_print_files(watched, tmp_path):
    session, _layout, _data = watched
    host = f"127.0.0.1:{session.server.server_address[1]}"
    code, _headers, body = request(session, "POST", "/render", {"Host": host, "Origin": f"http://{host}"})
    result = json.loads(body)
    assert code == 200 and result["ok"], result
    written = {Path(f["path"]).name for f in result["files"]}
    assert written == {"watched.pdf", "watched.png"} and all((tmp_path / "out" / n).is_file() for n in written)
    # the sheets' splits through text are warnings: listed as `plakat render` lists them
    assert {f["code"] for f in result["findings"]} >= {"seam-through-text"}


def test_stop_leaves_no_thread(one_portrait_data, write_layout, tmp_path):
    import threading

    before = set(threading.enumerate())
    session = Watch(write_layout(one_portrait_data), tmp_path / "out", port=0).start()
    wait_for(lambda: session.service.preview.version >= 1)
    session.stop()
    assert {t for t in threading.enumerate() if t.name.startswith("plakat-watch")} - before == set()


def _browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_page_in_a_browser(watched):
    session, layout, data = watched
    browser = _browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        wait = WebDriverWait(browser, 20, poll_frequency=0.05)
        browser.get(session.url)
        poster = browser.find_element(By.ID, "poster")
        wait.until(lambda _: browser.execute_script("return arguments[0].naturalWidth", poster) > 0)
        first_src = poster.get_attribute("src")
        assert "/preview.png?v=" in first_src

        data["headline"]["text"] = "Neu gesetzt"
        save(layout, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        wait.until(lambda _: poster.get_attribute("src") != first_src)

        text = layout.read_text(encoding="utf-8")
        broken_line = break_headline(layout)
        panel = browser.find_element(By.ID, "errors")
        wait.until(lambda _: panel.is_displayed() and f"watched.yaml:{broken_line}:" in panel.text)

        save(layout, text)
        wait.until(lambda _: not panel.is_displayed())

        item = wait.until(lambda _: browser.find_element(By.CSS_SELECTOR, "#findings li.finding"))
        number = item.get_attribute("data-number")
        item.click()
        assert "selected" in item.get_attribute("class")
        halo = browser.find_element(By.CSS_SELECTOR, f"#marker-{number} .halo")
        assert halo.get_attribute("visibility") == "visible"
        (ROOT / "out").mkdir(exist_ok=True)
        browser.save_screenshot(str(ROOT / "out" / "watch-test.png"))
    finally:
        browser.quit()

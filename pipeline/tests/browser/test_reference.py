"""The API reference page in a real browser: Debian's headless Chromium, driven by Selenium.

`nox -s browser` runs it (CI installs chromium and chromium-driver: .ci/services.sh). The
service runs in Production with API_REFERENCE=true, so the setting is what serves the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.wait import WebDriverWait

from pipeline.core.paths import ROOT
from pipeline.core.service import RunningServer, start_server
from pipeline.testing import require_tools

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT = ROOT / "docs" / "api-reference.png"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`python -m serving` in Production, the reference page switched on by its setting."""
    running = start_server(tmp_path_factory.mktemp("server") / "server.log",
                           {"API_REFERENCE": "true"})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile, its console and network logs kept."""
    require_tools(CHROMIUM, CHROMEDRIVER, install="apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def _log(driver: webdriver.Chrome, kind: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def _requested(driver: webdriver.Chrome) -> list[str]:
    urls = []
    for entry in _log(driver, "performance"):
        message: dict[str, Any] = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def test_the_reference_lists_every_operation_and_tries_one(
        server: RunningServer, browser: webdriver.Chrome) -> None:
    browser.get(f"{server.url}/docs")
    wait = WebDriverWait(browser, 20)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
    paths = {e.get_attribute("data-path") or e.text
             for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/", "/echo", "/echo/{item}", "/healthz", "/openapi.json"} <= paths

    index = browser.find_element(
        By.XPATH, "//div[contains(@class, 'opblock-get')][.//*[@data-path='/']]")
    index.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".try-out__btn"))).click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".execute"))).click()
    status = wait.until(ready.visibility_of_element_located(
        (By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status")))
    assert status.text.strip().startswith("200")
    assert "echo service index" in index.find_element(
        By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_description").text
    browser.save_screenshot(str(SCREENSHOT))

    console = _log(browser, "browser")
    assert not [e for e in console if e["level"] in ("SEVERE", "WARNING")], console
    # Network requests only: chrome:// pages are the browser's own, data: URLs never leave.
    sent = [url for url in _requested(browser) if url.startswith(("http:", "https:", "ws"))]
    assert f"{server.url}/openapi.json" in sent and f"{server.url}/" in sent
    foreign = [url for url in sent if not url.startswith(server.url + "/")]
    assert not foreign, foreign


def test_a_csp_violation_would_be_seen(server: RunningServer, browser: webdriver.Chrome) -> None:
    # The check above must be able to fail: an inline script outside the page's hashes.
    browser.get(f"{server.url}/docs")
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s);")
    console = _log(browser, "browser")
    assert any("Content Security Policy" in e["message"] for e in console), console


def test_production_without_the_setting_serves_no_reference(tmp_path: Path) -> None:
    plain = start_server(tmp_path / "server.log")
    try:
        from pipeline.core.httpclient import call  # pylint: disable=import-outside-toplevel
        assert call(plain.url, "GET", "/docs").status == 404
    finally:
        plain.stop()

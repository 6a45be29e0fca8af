"""The built site in a real headless Chromium (Debian's chromium + chromedriver, through selenium).

The site is served by ``python -m http.server`` bound to 127.0.0.1 in a subprocess, stopped by its pid.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the test extra)")
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="Chromium is absent: apt-get install -y chromium chromium-driver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(site):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site.root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _model_column(driver):
    return [row.get_attribute("data-model") for row in driver.find_elements("css selector", "#board tbody tr")]


def test_index_renders_sorts_and_shows_markup_as_text(served, browser, site, evil_names):
    from selenium.webdriver.common.by import By

    browser.get(served + "/index.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "#board tbody tr")
    assert len(rows) == 4
    assert _model_column(browser)[0] == "lab/strong"  # ranked by IQM
    headers = browser.find_elements(By.CSS_SELECTOR, "#board thead th button")
    labels = [h.text for h in headers]
    assert {"Model", "IQM [95% CI]", "three_sat", "vertex_cover", "Tokens", "$ / correct"} <= set(labels)

    model_header = headers[labels.index("Model")]
    model_header.click()
    ascending = _model_column(browser)
    assert ascending == sorted(ascending, key=str.lower)
    browser.find_elements(By.CSS_SELECTOR, "#board thead th button")[labels.index("Model")].click()
    assert _model_column(browser) == ascending[::-1]
    th = browser.find_elements(By.CSS_SELECTOR, "#board thead th")[labels.index("Model")]
    assert th.get_attribute("aria-sort") == "descending"

    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#board tbody td.model span:first-child")]
    for name in evil_names:
        assert name in cells  # shown as text
    assert browser.find_elements(By.CSS_SELECTOR, "#board img") == []  # no injected element
    assert browser.execute_script("return document.scripts.length") == 2  # the JSON block and board.js only
    badges = browser.find_elements(By.CSS_SELECTOR, "#board tr.baseline .badge")
    assert [b.text for b in badges] == ["baseline"]

    for page in ("runs.html", "problems/vertex_cover.html"):
        browser.get(f"{served}/{page}")
        assert browser.find_elements(By.TAG_NAME, "h1")
    logs = browser.get_log("browser")
    assert [entry for entry in logs if entry["level"] in ("SEVERE", "ERROR")] == []
    browser.get(served + "/index.html")
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # the onerror=alert(1) in a model name never ran

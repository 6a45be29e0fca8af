"""A headless Chromium for the site's browser test and its screenshots (selenium, the test extra; Debian's
chromium and chromium-driver). Nothing of the site needs it: the site is static files."""

from __future__ import annotations

from pathlib import Path

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")


def available() -> bool:
    """Whether Debian's chromium and chromedriver are installed."""
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def start(profile: str | Path, width: int = 1280, height: int = 900):
    """A headless Chromium with a fresh profile in ``profile``, its browser log kept; the caller quits it."""
    if not available():
        raise RuntimeError("Chromium is absent: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def screenshot(driver, url: str, path: str | Path, width: int, max_height: int = 5000,
               ready: str | None = None) -> Path:
    """A full-page PNG of ``url`` at ``width`` CSS pixels (up to ``max_height`` tall); ``ready``: a CSS selector
    to wait for first."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.set_window_size(width, 900)
    driver.get(url)
    if ready:
        WebDriverWait(driver, 20).until(lambda d: d.find_elements("css selector", ready))
    height = min(int(driver.execute_script("return document.documentElement.scrollHeight")), max_height)
    driver.set_window_size(width, max(height, 600))
    if ready:
        WebDriverWait(driver, 20).until(lambda d: d.find_elements("css selector", ready))
    driver.save_screenshot(str(path))
    return Path(path)

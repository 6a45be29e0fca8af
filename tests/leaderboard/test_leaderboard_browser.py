"""The built site in a real headless Chromium (Debian's chromium + chromedriver, through selenium).

Served by ``python -m http.server`` bound to 127.0.0.1 in a subprocess (stopped by its pid), and opened
from ``file://`` with no server at all, as a reader who downloaded the folder would.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest

from leaderboard import chromium

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the test extra)")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not chromium.available(),
                                 reason="Chromium is absent: apt-get install -y chromium chromium-driver")]


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
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"), width=2000, height=1100)
    try:
        yield driver
    finally:
        driver.quit()


def css(driver, selector):
    return driver.find_elements("css selector", selector)


def wait(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def models_shown(driver):
    return [row.get_attribute("data-model") for row in css(driver, "#board tbody tr[data-model]")]


def open_board(driver, url):
    """Open the board and wait for its script to fill the table (``get`` can return before it ran)."""
    driver.get(url)
    wait(driver, lambda d: models_shown(d))


def assert_inert(driver):
    """No element, script or dialog came from the data; nothing was fetched from another origin."""
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - reading the property is what raises
    assert css(driver, "main img:not([src$='.png'])") == []
    assert driver.execute_script(  # no element carries an event handler attribute (ours use addEventListener)
        "return [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on')))"
        ".map(e => e.outerHTML)") == []
    origin = driver.execute_script("return location.protocol === 'file:' ? 'file://' : location.origin")
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith(origin) or name.startswith("data:") for name in resources), resources
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_index_sorts_filters_and_shows_markup_as_text(served, browser, evil_names):
    open_board(browser, served + "/index.html")
    assert len(models_shown(browser)) == 4 and models_shown(browser)[0] == "lab/strong"  # ranked by IQM
    names = [cell.text for cell in css(browser, "#board td.model .name a")]
    assert set(evil_names) <= set(names)  # shown as text
    assert browser.execute_script("return document.scripts.length") == 2  # the JSON block and board.js only
    assert [b.text for b in css(browser, "#board tr.baseline .badge")] == ["baseline"]
    assert "partial: 3 of 4 tasks" in browser.find_element("css selector", "#board tbody").text

    def header(label):
        return next(th for th in css(browser, "#board thead th[rowspan]") if th.text.startswith(label))
    header("Model").find_element("css selector", "button").click()
    ascending = models_shown(browser)
    assert ascending == sorted(ascending, key=str.lower)
    header("Model").find_element("css selector", "button").click()
    assert models_shown(browser) == ascending[::-1] and header("Model").get_attribute("aria-sort") == "descending"

    search = browser.find_element("id", "search")
    search.send_keys("STRONG")
    assert models_shown(browser) == ["lab/strong"]
    search.clear()
    search.send_keys("evil")  # the provider named on the model card
    assert models_shown(browser) == [evil_names[0]]
    search.clear()
    browser.execute_script("arguments[0].dispatchEvent(new Event('input'))", search)
    browser.find_element("id", "baselines").click()
    assert "baseline/random" not in models_shown(browser) and len(models_shown(browser)) == 3
    browser.find_element("id", "baselines").click()
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "weights")).select_by_value("open")
    assert set(models_shown(browser)) == {"lab/strong", "baseline/random"}  # baselines follow their own switch
    Select(browser.find_element("id", "weights")).select_by_value("closed")
    assert set(models_shown(browser)) == {evil_names[0], "baseline/random"}
    Select(browser.find_element("id", "weights")).select_by_value("")
    assert len(css(browser, "#board thead th.problem-head")) == 2
    Select(browser.find_element("id", "problems-shown")).select_by_value("suite:core")
    assert [th.text for th in css(browser, "#board thead th.group")] == ["Core (2)"]  # capitalised by the stylesheet
    Select(browser.find_element("id", "problems-shown")).select_by_value("family:graphs")
    assert len(css(browser, "#board thead th.problem-head")) == 1
    links = {a.get_attribute("href").rsplit("/", 1)[-1] for a in css(browser, ".downloads a")}
    assert links == {"leaderboard.json", "leaderboard.csv"}
    assert_inert(browser)


def test_model_problem_and_runs_pages_show_hostile_names_as_text(served, browser, site, evil_names):
    for name in evil_names:
        browser.get(f"{served}/models/{site.model_pages[name].name}")
        assert browser.find_element("css selector", "h1").text == name
        assert_inert(browser)
    page = site.model_pages[evil_names[0]].name
    browser.get(f"{served}/models/{page}")
    assert "<b onmouseover=alert(3)>Evil</b>" in browser.find_element("css selector", "dl.card").text
    browser.get(f"{served}/problems/vertex_cover.html")
    assert set(evil_names) <= {cell.text for cell in css(browser, "table.plain td.model")}
    image = browser.find_element("css selector", "figure img")
    wait(browser, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
    assert_inert(browser)
    browser.get(f"{served}/runs.html")
    assert set(evil_names) <= {h.text for h in css(browser, "h2")}
    assert_inert(browser)


def open_viewer(driver, url):
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    wait(driver, lambda d: css(d, "#detail .model-line"))


def test_viewer_filters_pages_and_shows_one_record_as_text(served, browser, site, evil_names):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    open_viewer(browser, served + "/samples/index.html")
    manifest = site.samples.records
    assert f"of {manifest:,} records match" in browser.find_element("id", "status").text
    model = Select(browser.find_element("css selector", "select[name=model]"))
    model.select_by_value(evil_names[0])
    wait(browser, lambda d: d.execute_script("return decodeURIComponent(location.hash)").startswith("#model="))
    wait(browser, lambda d: css(d, "#records tbody tr"))
    board = json.loads((site.root / "leaderboard.json").read_text())
    row = next(r for r in board["rows"] if r["model"] == evil_names[0])
    records = row["attempts"] + row["api_errors"]
    wait(browser, lambda d: d.find_element("id", "status").text.startswith(f"{records} of "))
    rows = css(browser, "#records tbody tr")
    assert len(rows) == min(records, 50)
    rows[1].click()
    wait(browser, lambda d: "r=" in d.current_url)
    wait(browser, lambda d: css(d, "#detail .model-line") and d.find_element("css selector", "#detail .model-line")
         .text == evil_names[0])
    detail = browser.find_element("id", "detail").text
    for part in ("Extracted answer", "Reply", "Reasoning", "Prompt", "tokens: prompt / completion / reasoning",
                 "latency", "cost"):
        assert part in detail
    chosen = int(browser.execute_script("return new URLSearchParams(location.hash.slice(1)).get('r')"))
    browser.find_element("css selector", "body").send_keys("j")
    wait(browser, lambda d: d.execute_script("return new URLSearchParams(location.hash.slice(1)).get('r')")
         == str(chosen + 1))
    Select(browser.find_element("css selector", "select[name=status]")).select_by_value("api_error")
    wait(browser, lambda d: "api_error" in d.find_element("id", "detail").text)
    browser.find_element("css selector", "button.reset").send_keys(Keys.ENTER)
    wait(browser, lambda d: d.find_element("id", "status").text.startswith(f"{manifest:,} of"))
    assert_inert(browser)


def test_a_deep_link_opens_that_record(served, browser, site, evil_names):
    text = (site.root / "samples" / "data" / "manifest-00000.js").read_text()
    manifest = json.loads(text[text.index(",0,") + 3:text.rindex(");")])
    model = manifest["models"].index(evil_names[1])
    group = [g for g in manifest["groups"] if g[0] == model][-1]
    target = group[5] + group[6] - 1  # the last record of that model
    open_viewer(browser, f"{served}/samples/index.html#r={target}")
    assert browser.find_element("css selector", "#detail .model-line").text == evil_names[1]
    assert f"#{target}" in browser.find_element("css selector", "#detail .facts").text
    assert browser.find_element("css selector", "#records tr.selected").get_attribute("data-record") == str(target)
    assert_inert(browser)


def test_the_site_works_from_files_without_a_server(browser, site, evil_names):
    open_board(browser, site.index.resolve().as_uri())
    assert len(models_shown(browser)) == 4
    assert_inert(browser)
    open_viewer(browser, (site.root / "samples" / "index.html").resolve().as_uri() + f"#model={quote(evil_names[0])}")
    assert browser.find_element("css selector", "#detail .model-line").text == evil_names[0]
    assert_inert(browser)

"""The web page in a real browser: Debian's Chromium, driven by Playwright, against the server
that ``rescalesim app`` starts. The tests start and stop everything they need."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, stop_group
from playwright.sync_api import Page, sync_playwright

from rescalesim.explorer import DEFAULT_SCENARIO
from rescalesim.scenario_file import load

pytestmark = pytest.mark.slow  # each takes 10 s or more on 2 cores

CHROMIUM = os.environ.get("RESCALESIM_CHROMIUM") or shutil.which("chromium")
STATUS = ".status"
YEARS = 3  # measured years on the page (`rescalesim app --years`), to keep the tests short


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assets() -> str:
    """Solara's scripts and styles, from the npm registry into a local cache (no CDN here)."""
    if os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR"):
        return os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"]
    done = subprocess.run(
        [str(ROOT / "scripts" / "solara-assets")], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": _assets()}
    command = [sys.executable, "-m", "rescalesim", "app", "--port", str(port)]
    command += ["--replications", "1", "--population-scale", "0.03", "--years", str(YEARS)]
    output = log.open("w")  # a file, not a pipe nobody reads: a full pipe would block it
    process = subprocess.Popen(
        command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_group(process)
                raise RuntimeError(f"server did not start: {log.read_text()}") from None
            time.sleep(0.5)
    yield url, port, log
    stop_group(process)  # the server and anything it started
    output.close()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "the web-page tests need Chromium (scripts/test installs Debian's chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(server, browser) -> Page:
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    page.goto(server[0])
    page.locator(STATUS).wait_for(timeout=60_000)
    page.get_by_text("Download scenario (TOML)").wait_for(timeout=60_000)  # last to render
    page.get_by_text("Explored:").wait_for(timeout=60_000)
    yield page
    context.close()


def status(page: Page) -> str:
    return page.locator(STATUS).inner_text()


def step_until(page: Page, shown: str, steps: int) -> None:
    """Press Step (one simulated year) until the status shows `shown`, at most `steps` times."""
    for _ in range(steps):
        if shown in status(page):
            return
        before = status(page)
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            "old => document.querySelector('.status').innerText != old", arg=before, timeout=60_000
        )
    assert shown in status(page)


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click(force=True)
    page.get_by_role("option", name=option).click()


def population_figure(page: Page, log: Path) -> bytes:
    """The PNG of the first figure, once the page has stopped re-drawing it."""
    figure = page.locator("img").first
    previous = None
    for _ in range(240):
        page.wait_for_timeout(500)
        if not figure.count():
            continue
        source = figure.get_attribute("src")
        if source == previous:  # each drawing arrives as a new blob
            data = page.evaluate(
                "async src => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer()))",
                source,
            )
            return bytes(data)
        previous = source
    raise AssertionError(
        f"no settled figure; the page ends with: {page.inner_text('body')[-1500:]}\n"
        f"server log: {log.read_text()[-3000:]}"
    )


def test_the_page_loads_with_a_scenario_its_baseline_and_levers(page):
    text = page.inner_text("body")
    assert "Explored: Belgium: 2021 detention-house plan" in text
    assert "Baseline: Belgium: status quo" in text
    assert "0 of 1 replication done" in status(page)
    for words in (
        "Who decides who goes to a house",
        "Strength of net-widening (log-odds)",
        "When prisons are full",
        "Trends and dated reforms",  # the scenario's trends and dated changes, on or off
    ):
        assert words in text  # levers in plain words with their units and meaning
    assert "Range offered: 0 to 1" in text  # net-widening's plausible range
    assert "shown for the whole country" in text  # what the scale simulated means for counts
    assert "decision in brief" in text.lower() and "two replications" in text
    assert "Traceback" not in text
    # technical controls only behind the advanced switch
    for technical in ("Use Threads", "Seed of the random numbers", "Render Interval"):
        assert technical not in text
    page.get_by_label("Advanced settings").click()
    page.get_by_text("Seed of the random numbers").wait_for(timeout=30_000)
    assert "Use Threads" not in page.inner_text("body")


def test_changing_a_lever_and_running_changes_the_figures(page, server, tmp_path):
    log = server[2]
    shown = load(ROOT / "scenarios" / DEFAULT_SCENARIO, [f"run.years={YEARS}"])  # as on the page
    years = round(shown.run.warmup_years + shown.run.years)
    measuring = f"day {shown.warmup_days + 2 * 365:,} "  # the warm-up, then two measured years
    step_until(page, measuring, 30)
    assert f"of {shown.warmup_days + shown.measured_days:,} (measuring)" in status(page)
    before = population_figure(page, log)

    choose(page, "When prisons are full", "queue")
    page.wait_for_function(  # the replications start again
        "() => document.querySelector('.status').innerText.startsWith('0 of 1 replication done')"
    )
    step_until(page, measuring, 30)
    after = population_figure(page, log)
    assert after != before  # sentences queue at liberty: fewer people in custody

    with page.expect_download() as download:
        page.get_by_text("Download scenario (TOML)").click()
    scenario_file = tmp_path / "explored.toml"
    download.value.save_as(scenario_file)
    checked = subprocess.run(
        [sys.executable, "-m", "rescalesim", "check", str(scenario_file)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    scenario = load(scenario_file)
    assert scenario.capacity.overflow == "queue"  # what was explored can be rerun
    assert scenario.run.population_scale == 0.03
    assert scenario.run.years == YEARS

    step_until(page, "All 1 replication done", years + 2)  # a step is a simulated year
    # one replication: its tables say that the interval is coming, never 'n/a'
    page.get_by_text("interval after two replications").first.wait_for(timeout=60_000)
    assert "n/a" not in page.inner_text("body")
    with page.expect_download() as download:
        page.get_by_text("Download results (CSV)").click()
    results = tmp_path / "results.csv"
    download.value.save_as(results)
    lines = Path(results).read_text().splitlines()
    assert len(lines) == 3 and "scenario_hash" in lines[0] and "seed" in lines[0]
    assert scenario.digest() in lines[2]


def test_an_invalid_combination_gets_a_message_on_the_page(page):
    page.get_by_label("Community interventions at each site").click(force=True)
    page.get_by_role("option", name="paid_liaison").click()
    page.keyboard.press("Escape")
    message = page.get_by_text("interventions act on siting decisions")
    message.wait_for(timeout=30_000)
    assert "enabled = true" in message.inner_text()
    assert "Traceback" not in page.inner_text("body")


def test_the_server_listens_on_loopback_only(server):
    _, port, _ = server
    addresses = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    outside = [a for a in addresses if not a.startswith("127.") and ":" not in a]
    if not outside:
        pytest.skip("this machine has no address besides loopback")
    with pytest.raises(OSError), socket.create_connection((outside[0], port), timeout=3):
        pass


def test_stopping_rescalesim_app_with_sigterm_leaves_no_process_behind(tmp_path):
    import signal

    port = _free_port()
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": _assets()}
    command = [sys.executable, "-m", "rescalesim", "app", "--port", str(port)]
    with (tmp_path / "server.log").open("w") as output:
        # its own process group, so that anything it started can be found and must be gone
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    os.killpg(process.pid, signal.SIGKILL)
                    raise RuntimeError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.5)
        process.send_signal(signal.SIGTERM)  # as a service manager or a terminal would
        try:
            process.wait(timeout=30)
        finally:
            left = True
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                left = False
            if left:
                os.killpg(process.pid, signal.SIGKILL)
    assert not left, "a process of `rescalesim app` outlived its SIGTERM"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=3).close()


def test_four_visitors_at_once_each_see_their_first_year_within_a_minute(server, browser):
    # four sessions in real browser pages, on a server that runs as many simulations at once
    # as there are cores: the others wait their turn, year by year
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(4)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(server[0])
        for page in pages:
            page.locator(STATUS).wait_for(timeout=60_000)
            page.get_by_text("Explored:").wait_for(timeout=60_000)
        started = time.monotonic()
        for page in pages:
            page.get_by_role("button", name="Step").click()
        waited = []
        for page in pages:
            page.wait_for_function(
                "() => document.querySelector('.status').innerText.includes('day 365 of')",
                timeout=60_000,
            )
            waited.append(time.monotonic() - started)
        assert max(waited) < 60, waited
        print(
            f"four visitors: first simulated year shown after {', '.join(f'{w:.1f}' for w in waited)} s"
        )
    finally:
        for context in contexts:
            context.close()

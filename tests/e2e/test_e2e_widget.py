"""The website widget in a real browser: Debian's headless Chromium driven by Playwright.

The page is served by `make run`'s web server, the widget talks socket.io to the real Rasa server.
Screenshots go to results/screenshots/ as test artefacts.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.identity import TokenConfig, issue_token, pseudonym

from .conftest import JWT_KEY, ROOT, Servers

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "results" / "screenshots"
LEADER = "100234"  # demo leader: 70 points for leerKRACHT jaar-1 approved
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
TIMEOUT = 60_000  # ms: the first answer may wait for the model
ANSWER = ".rw-response .rw-message-text"  # an answer bubble (the typing indicator is a .rw-response too)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    found = subprocess.run(["bash", str(ROOT / "scripts" / "chromium.sh")], capture_output=True, text=True,
                           timeout=900)
    if found.returncode != 0:
        pytest.fail(f"no Chromium: {found.stderr[-2000:]}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=found.stdout.strip(), args=FLAGS, headless=True)
        yield launched
        launched.close()


class Widget:
    """One browser tab on the page, recording every request the page makes."""

    def __init__(self, browser: Browser, servers: Servers) -> None:
        self.context = browser.new_context(locale="nl-NL")
        self.page: Page = self.context.new_page()
        self.base = f"http://127.0.0.1:{servers.web_port}/"
        self.servers = servers
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.set_default_timeout(TIMEOUT)

    def open(self, fragment: str = "") -> None:
        """Open the page and wait for the assistant's first message (its welcome)."""
        self.page.goto(self.base + fragment)
        self.page.wait_for_selector(".rw-new-message")
        self.page.locator(ANSWER).first.wait_for()

    def ask(self, question: str, expect: str) -> None:
        """Type a question, send it with Enter, wait for a new answer bubble containing `expect`."""
        before = self.page.locator(ANSWER).count()
        box = self.page.locator(".rw-new-message")
        box.fill(question)
        box.press("Enter")
        self.wait_for_answer(before, expect)

    def wait_for_answer(self, before: int, expect: str) -> None:
        """Wait until a bubble after the first `before` ones contains `expect` (fails on timeout)."""
        self.page.wait_for_function(
            "([sel, n, want]) => Array.from(document.querySelectorAll(sel)).slice(n)"
            ".some((e) => e.innerText.includes(want))", arg=[ANSWER, before, expect])

    def session_id(self) -> str:
        return str(self.page.evaluate("JSON.parse(sessionStorage.getItem('chat_session')).session_id"))

    def conversation(self) -> str:
        return self.page.locator(".rw-messages-container").inner_text()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def outside_requests(self) -> list[str]:
        local = re.compile(r"^(https?|wss?)://127\.0\.0\.1:\d+/|^data:|^blob:")
        return [url for url in self.requests if not local.match(url)]


@pytest.fixture()
def widget(browser: Browser, servers: Servers) -> Iterator[Widget]:
    tab = Widget(browser, servers)
    yield tab
    tab.context.close()
    # Every browser test: the page fetched nothing from outside 127.0.0.1 (no CDN, fonts or trackers).
    assert tab.outside_requests() == [], tab.outside_requests()


def token_for(number: str) -> str:
    return issue_token(number, config=TokenConfig(algorithm="HS256", verify_key=JWT_KEY, signing_key=JWT_KEY))


def test_question_answer_and_reload_keeps_the_conversation(widget: Widget) -> None:
    widget.open()
    assert widget.page.title().startswith("Registerwijzer")
    widget.ask("telt leerKRACHT jaar 1 mee?", "Bron:")  # the source is the answer's last bubble
    assert "herregistratiewaarde van 70 punten" in widget.conversation()
    widget.shot("widget-answer")

    session = widget.session_id()
    widget.page.reload()
    widget.page.wait_for_selector(".rw-new-message")
    widget.page.locator(ANSWER, has_text="herregistratiewaarde van 70 punten").first.wait_for()
    assert "telt leerKRACHT jaar 1 mee?" in widget.conversation()
    # The same session continues on the server after the reload.
    widget.ask("bedankt", "Graag gedaan")
    assert widget.session_id() == session
    widget.shot("widget-after-reload")
    assert widget.outside_requests() == []


def test_logged_in_leader_gets_a_personal_answer(widget: Widget) -> None:
    widget.open("#token=" + token_for(LEADER))
    assert "token=" not in widget.page.url  # the token leaves the address bar at once
    assert "Je bent ingelogd" in widget.page.locator("#login-state").inner_text()
    widget.ask("hoeveel punten heb ik al?", "70 (leerKRACHT jaar-1)")
    widget.shot("widget-personal")
    conversation = f"leader-{pseudonym(LEADER)}:{widget.session_id()}"
    assert stored_conversation(widget.servers, conversation)

    widget.page.locator("#logout").click()
    widget.page.wait_for_selector(".rw-new-message")
    widget.page.locator(ANSWER).first.wait_for()
    assert "70 (leerKRACHT jaar-1)" not in widget.conversation()  # logging out forgets the conversation
    widget.ask("hoeveel punten heb ik al?", "Log in op het portaal")
    # ... on the server too (issue 17): the leader's conversation of that session is deleted.
    deadline = time.monotonic() + 15
    while stored_conversation(widget.servers, conversation) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not stored_conversation(widget.servers, conversation)


PROGRESS_SHOT = ROOT / "results" / "widget-progress.png"
OVERVIEW = ".rw-overview"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file; fails when it is not one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_personal_overview_shows_a_progress_bar_and_a_timeline(widget: Widget) -> None:
    """Issue 19: below the text answer, a progress bar ("70 van de 100 punten", a labelled progressbar)
    and the period as a timeline with today marked and the time left in words; it fits the widget, at a
    phone's width too, and stays after a reload."""
    widget.open("#token=" + token_for(LEADER))
    widget.ask("hoeveel punten heb ik al?", "70 (leerKRACHT jaar-1)")
    page = widget.page
    overview = page.locator(OVERVIEW).last
    overview.wait_for()
    assert "70 (leerKRACHT jaar-1)" in widget.conversation()  # the text answer stays visible

    bar = overview.locator("[role=progressbar]")
    assert (bar.get_attribute("aria-valuenow"), bar.get_attribute("aria-valuemin"),
            bar.get_attribute("aria-valuemax")) == ("70", "0", "100")
    assert bar.get_attribute("aria-valuetext") == "70 van de 100 punten"
    label = page.locator("#" + str(bar.get_attribute("aria-labelledby")))
    assert label.inner_text() == "Punten voor je herregistratie"  # the bar's accessible name
    assert overview.locator(".rw-ov-value").inner_text() == "70 van de 100 punten"  # visible, not only for AT
    assert overview.locator(".rw-ov-status").inner_text() == "Je mist nog 30 punten."
    fill = overview.locator(".rw-ov-fill").bounding_box()
    track = bar.bounding_box()
    assert fill and track and abs(fill["width"] / (track["width"] - 2) - 0.7) < 0.02  # 70 % drawn

    period = re.search(r"Je periode loopt van (.+?) tot (.+?)\.", widget.conversation())
    assert period, widget.conversation()
    dates = overview.locator(".rw-ov-dates").inner_text()
    assert f"Begin: {period.group(1)}" in dates and f"Uiterlijk herregistreren: {period.group(2)}" in dates
    assert "Vandaag: " in dates
    assert overview.locator(".rw-ov-mark").inner_text() == "vandaag"
    remaining = overview.locator(".rw-ov-remaining").inner_text()
    assert re.fullmatch(r"Nog (\d+ dagen?|ongeveer \d+ maanden|ongeveer \d+ jaar( en \d+ maanden?)?)\.", remaining) \
        or remaining.startswith("Je periode is verlopen"), remaining
    assert overview.locator(".rw-ov-line").get_attribute("aria-hidden") == "true"  # the dates say it in words

    for width in (1280, 360):  # the page's own width and a phone's: nothing sticks out of the widget
        page.set_viewport_size({"width": width, "height": 800})
        box, log = overview.bounding_box(), page.locator(".rw-messages-container").bounding_box()
        assert box and log and box["x"] >= log["x"] and box["x"] + box["width"] <= log["x"] + log["width"] + 1
        assert overview.evaluate("e => e.scrollWidth <= e.clientWidth"), width
    page.set_viewport_size({"width": 1280, "height": 800})
    overview.scroll_into_view_if_needed()
    PROGRESS_SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator("#chat").screenshot(path=str(PROGRESS_SHOT))
    width, height = png_size(PROGRESS_SHOT)
    assert width >= 300 and height >= 300 and PROGRESS_SHOT.stat().st_size > 10_000

    page.reload()  # the picture is kept with the conversation
    page.locator(OVERVIEW + " [role=progressbar]").last.wait_for()
    assert page.locator(OVERVIEW).last.locator(".rw-ov-value").inner_text() == "70 van de 100 punten"


def stored_conversation(servers: Servers, sender: str) -> bool:
    path = servers.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM conversations WHERE sender_id = ?", (sender,)).fetchone()[0] > 0


def test_anonymous_personal_question_hears_how_to_log_in(widget: Widget) -> None:
    widget.open()
    widget.ask("hoeveel punten heb ik al?", "Log in op het portaal")
    assert "70 (leerKRACHT jaar-1)" not in widget.conversation()


def test_forged_token_gets_a_dutch_refusal(widget: Widget) -> None:
    forged = issue_token(LEADER, config=TokenConfig(algorithm="HS256", verify_key="x" * 48, signing_key="x" * 48))
    widget.open("#token=" + forged)
    widget.ask("hoeveel punten heb ik al?", "Je inlogtoken is ongeldig of verlopen")
    assert "70 (leerKRACHT jaar-1)" not in widget.conversation()


@pytest.mark.parametrize("fragment", ["#token=%E0%A4%A", "#token=", "#token=<script>alert(1)</script>"])
def test_a_malformed_token_link_leaves_a_working_page(widget: Widget, fragment: str) -> None:
    """Issue 17: a broken #token fragment (a bad escape, nothing, not a JWT) does not stop the page: it
    says the link is invalid, the address bar is cleaned, and general questions work anonymously."""
    widget.open(fragment)
    assert widget.page.locator("#token-error").is_visible()
    assert "token" not in widget.page.url
    assert widget.page.evaluate("window.sessionStorage.getItem('registerwijzer.token')") is None
    widget.ask("telt leerKRACHT jaar 1 mee?", "Bron:")


def test_keyboard_only_and_labels(widget: Widget) -> None:
    widget.open()
    page = widget.page
    assert page.locator(".rw-new-message").get_attribute("aria-label") == "Je vraag"
    assert page.locator(".rw-send").get_attribute("aria-label") == "Verstuur"
    assert page.locator(".rw-messages-container").get_attribute("role") == "log"
    assert page.locator("html").get_attribute("lang") == "nl"
    for _ in range(30):  # Tab from the top of the page to the question box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('rw-new-message')"):
            break
    else:
        pytest.fail("the question box cannot be reached with Tab")
    before = page.locator(ANSWER).count()
    page.keyboard.type("hallo")
    page.keyboard.press("Enter")
    widget.wait_for_answer(before, "Wat wil je weten")
    widget.shot("widget-keyboard")


CONTRAST = """
() => {
  // Colours with their alpha: a semi-transparent background is blended over what lies beneath it, and
  // semi-transparent text over its background, as the eye sees them (WCAG uses the rendered colours).
  const parse = (c) => {
    const v = c.match(/[\\d.]+/g).map(Number);
    return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
  };
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a), a: 1,
  });
  const lum = (c) => {
    const [r, g, b] = [c.r, c.g, c.b].map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    return layers.reverse().reduce((below, top) => over(top, below), {r: 255, g: 255, b: 255, a: 1});
  };
  const ratio = (el) => {
    const back = background(el);
    const a = lum(over(parse(getComputedStyle(el).color), back)), b = lum(back);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const out = {};
  for (const sel of ['.rw-title', '.rw-response .rw-message-text', '.rw-client .rw-message-text',
                     '.rw-new-message', 'header.site .brand', 'h1', '.intro', 'footer.site']) {
    const el = document.querySelector(sel);
    out[sel] = el ? ratio(el) : null;
  }
  return out;
}
"""


def test_wcag_aa_contrast(widget: Widget) -> None:
    widget.open()
    widget.ask("hoeveel punten heb ik nodig", "100")
    ratios = widget.page.evaluate(CONTRAST)
    missing = [sel for sel, value in ratios.items() if value is None]
    assert not missing, missing
    low = {sel: round(value, 2) for sel, value in ratios.items() if value < 4.5}
    assert not low, f"below WCAG AA 4.5:1: {low}"


def socket_handshake(servers: Servers, origin: str) -> tuple[int, str | None]:
    request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}/socket.io/?EIO=4&transport=polling",
                                     headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Access-Control-Allow-Origin")


def test_only_allowed_origins_may_connect(servers: Servers) -> None:
    allowed = f"http://127.0.0.1:{servers.web_port}"
    assert socket_handshake(servers, allowed) == (200, allowed)
    status, header = socket_handshake(servers, "http://evil.example")
    assert status == 400 and header is None


def test_page_security_headers_and_config(servers: Servers) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{servers.web_port}/config.json", timeout=10) as response:
        assert json.loads(response.read()) == {"socketUrl": f"http://127.0.0.1:{servers.rasa_port}"}
        csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and f"connect-src 'self' http://127.0.0.1:{servers.rasa_port}" in csp
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{servers.web_port}/../bot/identity.py", timeout=10)
    assert missing.value.code == 404

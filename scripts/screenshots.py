"""Screenshots of the chat widget for the documentation (docs/img/), from a running assistant.

Start the assistant first (`make run`, or `scripts/run.sh` on other ports), then:

    .venv/bin/python scripts/screenshots.py                      # anonymous: docs/img/widget.png
    .venv/bin/python scripts/screenshots.py --leader 100234      # logged in: docs/img/widget-personal.png
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8180/ --question "telt LK1 mee?"

With --leader the demo leaders are created (`python -m bot demo`, idempotent) and a portal token is issued
(`python -m bot token NUMMER`), so the page opens logged in (`#token=...`) and the default question is
"hoeveel punten heb ik al?": the personal overview. Uses Debian's Chromium through
`scripts/chromium.sh` and Playwright, as the widget's browser tests do (tests/e2e/test_e2e_widget.py).
The PNG is a viewport shot, quantised to a palette to keep it small (Pillow, from the virtualenv).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
# The same flags and selectors as tests/e2e/test_e2e_widget.py.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
ANSWER = ".rw-response .rw-message-text"
TIMEOUT = 90_000  # ms


def say(text: str) -> None:
    print(f"[screenshots] {text}", file=sys.stderr, flush=True)


def chromium() -> str:
    found = subprocess.run(["bash", str(ROOT / "scripts" / "chromium.sh")], capture_output=True, text=True,
                           timeout=900)
    if found.returncode != 0:
        sys.exit(f"[screenshots] no Chromium: {found.stderr.strip()}")
    return found.stdout.strip()


def portal_token(leader: str) -> str:
    """The demo leaders (idempotent) and a portal token for one of them, from the admin CLI."""
    subprocess.run([PY, "-m", "bot", "demo"], cwd=ROOT, check=True, capture_output=True)
    issued = subprocess.run([PY, "-m", "bot", "token", leader], cwd=ROOT, check=True, capture_output=True,
                            text=True)
    return issued.stdout.strip().splitlines()[-1]


def shrink(path: Path) -> None:
    """Quantise to 256 colours: a chat page needs no more, and the file stays well under 300 KB."""
    try:
        from PIL import Image
    except ImportError:  # Pillow missing: keep the full-colour PNG
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080/", help="the page of a running assistant")
    parser.add_argument("--leader", help="log in as this demo leader (registratienummer, e.g. 100234)")
    parser.add_argument("--question", help="what to ask in the widget")
    parser.add_argument("--expect", default="Bron", help="text the answer must contain before the shot")
    parser.add_argument("--out", type=Path, help="PNG to write (default docs/img/widget.png, "
                                                  "or docs/img/widget-personal.png with --leader)")
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)

    url = args.url
    if args.leader:
        url = url.split("#")[0] + "#token=" + portal_token(args.leader)
        question = args.question or "hoeveel punten heb ik al?"
        out = args.out or ROOT / "docs" / "img" / "widget-personal.png"
    else:
        question = args.question or "hoeveel punten heb ik nodig voor herregistratie?"
        out = args.out or ROOT / "docs" / "img" / "widget.png"
    out.parent.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS, headless=True)
        context = browser.new_context(locale="nl-NL", viewport={"width": args.width, "height": args.height})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        say(f"opening {args.url}" + (f" as leader {args.leader}" if args.leader else ""))
        page.goto(url)
        page.wait_for_selector(".rw-new-message")
        page.locator(ANSWER).first.wait_for()  # the welcome
        before = page.locator(ANSWER).count()
        say(f"asking: {question}")
        box = page.locator(".rw-new-message")
        box.fill(question)
        box.press("Enter")
        page.wait_for_function(
            "([sel, n, want]) => Array.from(document.querySelectorAll(sel)).slice(n)"
            ".some((e) => e.innerText.includes(want))", arg=[ANSWER, before, args.expect])
        page.wait_for_timeout(500)  # let the last bubble's animation finish
        page.screenshot(path=str(out))
        context.close()
        browser.close()
    shrink(out)
    say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

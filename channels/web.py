"""The website page with the chat widget: a small static server for `web/` (`make run`: port 8080).

It serves only a fixed set of files, the rasa-webchat bundle from `web/node_modules` (installed from
npm with a lock file, never a CDN) with its Google Fonts imports removed, and `config.json` telling
the page where the socket.io channel is. A strict Content-Security-Policy keeps the page from loading
anything from elsewhere.

Configuration (environment):
- `WEB_PORT` (default 8080), `WEB_HOST` (default 127.0.0.1);
- `WEBCHAT_SOCKET_URL`: where the browser reaches Rasa (default `http://127.0.0.1:$RASA_PORT`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# The bundle's stylesheets import a font from Google; the page uses system fonts instead.
OUTSIDE_IMPORT = re.compile(r"@import url\(https?://[^)]*\);?")

STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
    "/privacy.html": ("privacy.html", "text/html; charset=utf-8"),
}
NOT_FOUND = "<!doctype html><html lang=nl><meta charset=utf-8><title>Niet gevonden</title><p>Deze pagina bestaat niet."


class WebError(Exception):
    """The page cannot be served (for example: the widget is not installed)."""


def vendor_bundle(path: Path = BUNDLE) -> bytes:
    if not path.is_file():
        raise WebError(f"{path} ontbreekt: installeer de widget met `make setup` (npm ci in web/)")
    return OUTSIDE_IMPORT.sub("", path.read_text(encoding="utf-8")).encode("utf-8")


def privacy_page(template: bytes) -> bytes:
    """The privacy statement with the retention periods this installation applies (RETENTION_*_DAYS)."""
    from bot.privacy import Retention

    retention = Retention.from_env()
    text = template.decode()
    for name in ("conversations", "tickets", "unanswered", "outbox"):
        text = text.replace("{{" + name + "}}", f"{getattr(retention, name):g}".replace(".", ","))
    return text.encode()


def origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebError(f"WEBCHAT_SOCKET_URL moet een http(s)-adres zijn, niet {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Site:
    files: dict[str, tuple[bytes, str]]
    csp: str

    @classmethod
    def build(cls, socket_url: str, web: Path = WEB, bundle: Path = BUNDLE) -> Site:
        http_origin = origin(socket_url)
        ws_origin = "ws" + http_origin[4:]
        files = {route: ((web / name).read_bytes(), kind) for route, (name, kind) in STATIC.items()}
        files["/privacy.html"] = (privacy_page(files["/privacy.html"][0]), files["/privacy.html"][1])
        files["/vendor/webchat.js"] = (vendor_bundle(bundle), "text/javascript; charset=utf-8")
        config = {"socketUrl": http_origin}
        files["/config.json"] = (json.dumps(config).encode(), "application/json")
        csp = "; ".join((
            "default-src 'none'", "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # the widget injects its own style elements
            "img-src 'self' data:", "font-src 'self'",
            f"connect-src 'self' {http_origin} {ws_origin}",
            "base-uri 'none'", "form-action 'none'", "frame-ancestors 'self'",
        ))
        return cls(files, csp)

    def headers(self) -> list[tuple[str, str]]:
        """The security headers every page response carries, here and behind nginx (`make cluster`)."""
        return [("Content-Security-Policy", self.csp), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-cache")]

    def export(self, directory: Path) -> None:
        """The site as files for nginx: every route's content, and `headers.conf` with the same headers
        as `add_header` lines (`make cluster` serves web/ this way; scripts/cluster.sh)."""
        directory.mkdir(parents=True, exist_ok=True)
        for route, (content, _) in self.files.items():
            target = directory / ("index.html" if route == "/" else route.lstrip("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        lines = [f'add_header {name} "{value}" always;' for name, value in self.headers()]
        (directory / "headers.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Registerwijzer"
        sys_version = ""

        def do_GET(self) -> None:
            self.respond(body=True)

        def do_HEAD(self) -> None:
            self.respond(body=False)

        def respond(self, body: bool) -> None:
            path = urlsplit(self.path).path
            content, kind = site.files.get(path, (NOT_FOUND.encode(), "text/html; charset=utf-8"))
            status = HTTPStatus.OK if path in site.files else HTTPStatus.NOT_FOUND
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            for name, value in site.headers():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(content)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the page's URLs carry nothing worth logging, tokens stay in the fragment

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Registerwijzer page with the chat widget.")
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    default_socket = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    parser.add_argument("--socket-url", default=os.environ.get("WEBCHAT_SOCKET_URL") or default_socket)
    parser.add_argument("--export", type=Path, metavar="DIR", help="write the site to DIR for nginx and stop")
    args = parser.parse_args(argv)
    try:
        site = Site.build(args.socket_url)
    except WebError as exc:
        print(f"[web] {exc}")
        return 2
    if args.export:
        site.export(args.export)
        return 0
    server = ThreadingHTTPServer((args.host, args.port), handler_for(site))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

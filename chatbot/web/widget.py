"""The embeddable widget: GET /widget.js, its stylesheet, the full-page widget GET / and the demo
host page GET /demo.

No build step: ``chatbot/static/widget.js`` is served as written, with one placeholder replaced by
the server's facts (asset version, input limits, form choices), so the limits the UI enforces are
the API's own constants rather than copies. The version is a hash of what is served; it names
the stylesheet URL (cached for a year, immutable) and is the ETag of /widget.js, whose URL host
pages hard-code and so is cached only briefly and revalidated."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for

from chatbot.programs.fields import CATEGORIES, EMPLOYMENT_STATUSES
from chatbot.web.ask import MAX_QUESTION_CHARS
from chatbot.web.feedback import MAX_COMMENT_CHARS
from chatbot.web.security import page_csp

bp = Blueprint("widget", __name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PLACEHOLDER = "/*@SERVER@*/null"
# Upper edges of the 기준중위소득 bands the form offers. The widget sends a band's upper edge, so
# a "<= X" criterion is judged eligible only when the whole band meets it; the edges must include
# every income threshold in the catalog (tests/web/test_widget.py checks).
INCOME_BAND_EDGES = (50, 60, 80, 100, 120, 150, 180)
SCRIPT_MAX_AGE = 300
_OPTION_PATTERNS = {
    "lang": re.compile(r"^(ko|en)$"),
    "position": re.compile(r"^(right|left)$"),
    "accent": re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$"),
    "open": re.compile(r"^(true|false)$"),
}


@dataclass(frozen=True)
class Assets:
    version: str
    script: bytes
    css: bytes
    key: tuple


def _load_assets() -> Assets:
    """Read once per process and again only when a file changes (cheap stat per request)."""
    paths = (STATIC_DIR / "widget.js", STATIC_DIR / "widget.css")
    key = tuple(p.stat().st_mtime_ns for p in paths)
    cached: Assets | None = current_app.extensions.get("widget_assets")
    if cached and cached.key == key:
        return cached
    source, css = (p.read_bytes() for p in paths)
    version = hashlib.sha256(source + b"\0" + css).hexdigest()[:12]
    facts = {
        "version": version,
        "css": f"/widget/{version}/widget.css",
        "limits": {"question": MAX_QUESTION_CHARS, "comment": MAX_COMMENT_CHARS},
        "employment": list(EMPLOYMENT_STATUSES),
        "interests": list(CATEGORIES),
        "incomeBands": list(INCOME_BAND_EDGES),
    }
    text = source.decode("utf-8")
    if PLACEHOLDER not in text:
        raise RuntimeError(f"widget.js lacks the {PLACEHOLDER} placeholder")
    script = text.replace(PLACEHOLDER, json.dumps(facts, ensure_ascii=False), 1).encode("utf-8")
    assets = Assets(version, script, css, key)
    current_app.extensions["widget_assets"] = assets
    return assets


def _asset(body: bytes, mimetype: str, etag: str, cache_control: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    # embeddable from any site, including ones that require Cross-Origin-Embedder-Policy
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.get("/widget.js")
def script():
    assets = _load_assets()
    return _asset(assets.script, "text/javascript", assets.version, f"public, max-age={SCRIPT_MAX_AGE}")


@bp.get("/widget/<version>/widget.css")
def stylesheet(version: str):
    """A stale version (a cached widget.js after a deploy) still gets today's CSS, uncached."""
    assets = _load_assets()
    cache = "public, max-age=31536000, immutable" if version == assets.version else "no-cache"
    return _asset(assets.css, "text/css", assets.version, cache)


def _options() -> dict[str, str]:
    """data- attributes for the pages' script tag from the query string, only if valid."""
    return {name: value for name, pattern in _OPTION_PATTERNS.items()
            if (value := request.args.get(name, "")) and pattern.match(value)}


def _page(template: str, frame_ancestors: str, **context) -> Response:
    options = _options()
    response = Response(render_template(template, options=options, lang=options.get("lang", "ko"),
                                        widget_src=url_for("widget.script"), **context), mimetype="text/html")
    response.headers["Content-Security-Policy"] = page_csp(frame_ancestors)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index():
    """The widget full-page. Allowlisted sites may frame it, for hosts whose own CSP would block
    our script: ``<iframe src="https://HOST/?lang=en">``."""
    return _page("index.html", current_app.extensions["origin_allowlist"].csp_sources())


@bp.get("/demo")
def demo():
    """A mock city page embedding the widget as a host would, for staff to preview options."""
    options = _options()
    attributes = "".join(f' data-{k}="{v}"' for k, v in {"lang": "ko", **options}.items())
    snippet = f'<script src="{request.host_url.rstrip("/")}/widget.js"{attributes} async></script>'
    return _page("demo.html", "'self'", snippet=snippet)

"""What embedding the widget in other sites needs: CORS on /api/* for allowlisted origins, a
Content-Security-Policy whose ``frame-ancestors`` uses the same allowlist, per-client rate limits
on /api/* and the client address taken through werkzeug's ProxyFix for trusted proxies only
(with none configured, X-Forwarded-For is ignored and logged as a warning once per worker), and
Strict-Transport-Security on responses to HTTPS requests.

The allowlist (``CHATBOT_CORS_ORIGINS``) holds origins (``https://economy.seoul.go.kr``), origins
with any port (``http://localhost:*``) and ``self``. One list serves both CORS and CSP, so a site
allowed to call the API can also frame the widget page and no other can. flask-cors writes the
CORS headers, from the list as anchored patterns (:meth:`OriginAllowlist.cors_origins`)."""
from __future__ import annotations

import logging
import math
import re
import time

from flask import Flask, Response, current_app, request
from flask_cors.core import get_cors_options, set_cors_headers
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from chatbot.config import Settings, limit_enabled


_ORIGIN = re.compile(r"^(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:(\d{1,5}|\*))?$", re.IGNORECASE)
CORS_MAX_AGE = 600
# what a widget on an allowed site may do with /api/* (X-Request-ID: it may send its own and read ours)
CORS_OPTIONS = {"methods": ["GET", "POST", "OPTIONS"], "allow_headers": ["Content-Type", "X-Request-ID"],
                "expose_headers": ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-Request-ID"],
                "max_age": CORS_MAX_AGE, "supports_credentials": False, "always_send": False,
                "vary_header": False}       # Vary: Origin goes on every /api/* response, allowed or not (_headers)
HSTS = "max-age=31536000; includeSubDomains"
log = logging.getLogger(__name__)


class OriginAllowlist:
    def __init__(self, spec: str):
        self.entries: list[str] = []
        for entry in re.split(r"[\s,]+", spec.strip()):
            if not entry:
                continue
            if entry != "self" and not _ORIGIN.match(entry):
                raise ValueError(f"CHATBOT_CORS_ORIGINS: {entry!r} is not an origin like https://host[:port|:*]")
            self.entries.append(entry.lower().rstrip("/"))

    def cors_origins(self, own_origin: str) -> list[str]:
        """The list as flask-cors origin patterns, each anchored at both ends (flask-cors matches a
        pattern at the start only): ``:*`` becomes any port or none, ``self`` the origin this
        request reached, which is why the patterns are built per request."""
        patterns = []
        for entry in self.entries:
            if entry == "self":
                patterns.append(re.escape(own_origin.lower()) + r"\Z")
            elif entry.endswith(":*"):
                patterns.append(re.escape(entry[:-2]) + r"(:[0-9]+)?\Z")
            else:
                patterns.append(re.escape(entry) + r"\Z")
        return patterns

    def csp_sources(self) -> str:
        """The list as CSP source expressions (CSP knows the ``:*`` port wildcard too)."""
        return " ".join("'self'" if e == "self" else e for e in self.entries) or "'none'"


def page_csp(frame_ancestors: str) -> str:
    """Our HTML pages load only our own script, styles and API; nothing inline."""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}")


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def _is_api() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask, settings: Settings) -> None:
    allowlist = OriginAllowlist(settings.cors_origins)
    app.extensions["origin_allowlist"] = allowlist

    if settings.proxy_hops > 0:
        # Trusting X-Forwarded-* from more hops than really exist lets a client pick its own
        # address and so its own rate-limit bucket; the default 0 trusts none.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    else:
        _warn_on_forwarded(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        if request.is_secure:           # https, or X-Forwarded-Proto: https from a trusted proxy
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)     # the limiter adds it to every response
        if _is_api():
            _cors(response, allowlist)
        return response

    _init_limiter(app, settings)        # after _headers: Flask runs after_request hooks last-in first


def _warn_on_forwarded(app: Flask) -> None:
    """X-Forwarded-For with CHATBOT_PROXY_HOPS=0 means a proxy nobody told us about: every citizen
    behind it shares one rate-limit bucket and one sign-in throttle. Served anyway (the header is
    ignored, as it must be when no proxy is trusted), counted in ``app.extensions`` and logged
    loudly once per worker."""
    seen = app.extensions["forwarded_unconfigured"] = {"requests": 0}

    @app.before_request
    def _check_forwarded() -> None:
        if "X-Forwarded-For" not in request.headers:
            return
        seen["requests"] += 1
        if seen["requests"] == 1:
            log.warning("X-Forwarded-For arrived but CHATBOT_PROXY_HOPS=0: the proxy in front is not trusted, so "
                        "every client behind it shares one rate-limit and one sign-in throttle bucket (and the staff "
                        "cookie's auto mode sees plain http). Set CHATBOT_PROXY_HOPS to the number of proxies.")


def _cors(response: Response, allowlist: OriginAllowlist) -> None:
    """flask-cors decides and writes the headers, evaluating its options per request as its
    ``cross_origin`` decorator does (``self`` depends on the request)."""
    response.vary.add("Origin")
    options = get_cors_options(current_app, CORS_OPTIONS, {"origins": allowlist.cors_origins(_own_origin())})
    set_cors_headers(response, options)


def _breach(limit: RequestLimit) -> Response:
    """Carries the true wait to errors.py, which reads Retry-After from the exception's response
    (without it the JSON 429 would always say a conservative 60 seconds)."""
    response = Response(status=429)
    response.headers["Retry-After"] = str(max(1, math.ceil(limit.reset_at - time.time())))
    return response


def _init_limiter(app: Flask, settings: Settings) -> None:
    """One budget per client shared by every /api/* route (an abuser cannot spread over routes);
    pages, the widget script and health checks are never limited, nor are CORS preflights.
    With Redis storage an outage falls back to per-process memory rather than failing requests."""
    enabled = limit_enabled(settings.rate_limit)
    in_memory = settings.rate_limit_storage_uri.startswith("memory://")
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[settings.rate_limit] if enabled else [],
        application_limits_exempt_when=lambda: not _is_api() or request.method == "OPTIONS",
        storage_uri=settings.rate_limit_storage_uri,
        headers_enabled=True,
        retry_after="delta-seconds",
        strategy="moving-window",
        in_memory_fallback_enabled=not in_memory,
        swallow_errors=not in_memory,
        key_prefix="chatbot",
        enabled=enabled or limit_enabled(settings.login_rate_limit),     # the staff sign-in's (admin/area.py)
        on_breach=_breach,
    )
    app.extensions["chatbot_limiter"] = limiter

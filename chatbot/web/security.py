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

from flask import Flask, Response, current_app, g, request
from flask_cors.core import get_cors_options, set_cors_headers
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from chatbot.config import Settings, limit_enabled
from chatbot.finder.shared_cache import redis_options
from chatbot.observability.outages import StoreOutage
from chatbot.web.errors import APIError


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


class _StoreSkipped(ConnectionError):
    """Raised instead of calling a limit store known to be down; Flask-Limiter swallows it."""


class _QuietWhenSkipped(logging.Filter):
    """Flask-Limiter logs every swallowed error with its traceback; a skipped store is no news
    (the outage was logged once when it began)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _StoreSkipped))


_QUIET = _QuietWhenSkipped()


class _StoreGuard:
    """The limiter's strategy with every call going through the store's breaker: a failure opens
    it, and while it is open no call reaches the store. Either marks the request (``g``) as one
    whose limits could not be checked."""

    def __init__(self, strategy, outage: StoreOutage):
        self._strategy, self._outage = strategy, outage

    def __getattr__(self, name: str):
        attribute = getattr(self._strategy, name)
        if not callable(attribute):
            return attribute

        def guarded(*args, **kwargs):
            if self._outage.down:
                self._outage.skipped()
                g.limit_store_down = True
                raise _StoreSkipped("rate-limit store is down")
            try:
                return attribute(*args, **kwargs)
            except Exception as error:
                self._outage.failed(error)
                g.limit_store_down = True
                raise
        return guarded


class _OutageAwareLimiter(Limiter):
    """Flask-Limiter with CHATBOT_LIMITS_ON_STORE_DOWN. Its own ``in_memory_fallback`` would go on
    limiting per process (not open), and ``swallow_errors`` alone would call the dead store and log
    a traceback on every request. Here the strategy's calls go through a breaker (:class:`_StoreGuard`,
    errors swallowed) and a request whose limits could not be checked is served unlimited (open) or
    refused with 503 (closed). Requests no limit applies to never touch the store, down or not."""

    outage: StoreOutage | None = None
    fail_closed = False

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        outage = self.outage
        if outage is None:
            return super()._check_request_limit(callable_name, in_middleware)
        if outage.down and outage.usable():           # time to try again: a ping, not a logged failure
            if self.storage.check():
                outage.succeeded()
            else:
                outage.failed(ConnectionError("ping failed"))
        super()._check_request_limit(callable_name, in_middleware)
        if g.get("limit_store_down"):
            self.context.view_rate_limit = None        # no limit headers from a store that is down
            if self.fail_closed:
                raise APIError(503, "limits_unavailable", "The service cannot check its request limits right now; "
                               "please try again shortly.", headers={"Retry-After": str(math.ceil(outage.retry_seconds))})


def _init_limiter(app: Flask, settings: Settings) -> None:
    """One budget per client shared by every /api/* route (an abuser cannot spread over routes);
    pages, the widget script and health checks are never limited, nor are CORS preflights. The
    storage is CHATBOT_RATE_LIMIT_STORAGE_URI, else REDIS_URL, else this process's memory; while a
    shared store is unreachable, CHATBOT_LIMITS_ON_STORE_DOWN decides (:class:`_OutageAwareLimiter`)."""
    if settings.limits_on_store_down not in ("open", "closed"):
        raise ValueError(f"CHATBOT_LIMITS_ON_STORE_DOWN: {settings.limits_on_store_down!r} is not open or closed")
    enabled = limit_enabled(settings.rate_limit)
    storage_uri = settings.limit_storage_uri
    shared = not storage_uri.startswith("memory://")
    limiter = _OutageAwareLimiter(
        get_remote_address,
        app=app,
        application_limits=[settings.rate_limit] if enabled else [],
        application_limits_exempt_when=lambda: not _is_api() or request.method == "OPTIONS",
        storage_uri=storage_uri,
        storage_options=redis_options() if storage_uri.startswith(("redis", "rediss")) else {},
        headers_enabled=True,
        retry_after="delta-seconds",
        strategy="moving-window",
        swallow_errors=shared,
        key_prefix=settings.redis_prefix,
        enabled=enabled or limit_enabled(settings.login_rate_limit),     # the staff sign-in's (admin/area.py)
        on_breach=_breach,
    )
    if shared and limiter.initialized:
        limiter.outage = StoreOutage("redis" if storage_uri.startswith("redis") else "limits", "rate_limit")
        limiter.fail_closed = settings.limits_on_store_down == "closed"
        limiter._limiter = _StoreGuard(limiter._limiter, limiter.outage)
        logging.getLogger("flask-limiter").addFilter(_QUIET)
    app.extensions["chatbot_limiter"] = limiter

"""Staff sessions against the real gunicorn (the Procfile command, 2 workers, loopback): signing
out in one worker ends the session in every worker, so a copied cookie is refused wherever the
next request lands (issue 14, item 9)."""
from __future__ import annotations

import re

import pytest
import requests

from chatbot.config import Settings
from tests.support.admin import PASSWORD
from tests.support.live import running_server

_CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
COOKIE = "finder_admin"


@pytest.fixture
def server(admin_env):
    env = Settings().with_overrides({
        "index_dir": admin_env.index_dir, "corpus_dir": admin_env.corpus_dir, "var_dir": admin_env.var_dir,
        "feedback_db": admin_env.var_dir / "fb.sqlite3", "embed_backend": "fake", "embed_model": "64",
        "rate_limit": "off", "cookie_secure": "never"}).to_env()
    with running_server(env, admin_env.root / "gunicorn.log", timeout=60) as (base, _process):
        yield base


def _page_status(base: str, cookie: str) -> list[int]:
    """GET /admin/ on fresh connections (each may land on either worker) with only this cookie."""
    return [requests.get(base + "/admin/", cookies={COOKIE: cookie}, allow_redirects=False, timeout=10,
                         headers={"Connection": "close"}).status_code for _ in range(12)]


@pytest.mark.integration
def test_a_cookie_copied_before_sign_out_is_refused_by_every_worker(server):
    base = server
    clerk = requests.Session()
    token = _CSRF.search(clerk.get(base + "/admin/login", timeout=10).text).group(1)
    signed_in = clerk.post(base + "/admin/login", data={"csrf_token": token, "username": "editor",
                                                        "password": PASSWORD}, allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302
    copied = clerk.cookies[COOKIE]
    assert set(_page_status(base, copied)) == {200}
    token = _CSRF.search(clerk.get(base + "/admin/", timeout=10).text).group(1)
    assert clerk.post(base + "/admin/logout", data={"csrf_token": token}, allow_redirects=False,
                      timeout=10).status_code == 302
    assert set(_page_status(base, copied)) == {302}

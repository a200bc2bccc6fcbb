"""OIDC end to end in a real browser: st.login against a small OpenID Connect provider on this machine.

No ministry identity provider is reachable from here, so `_Provider` plays one on 127.0.0.1: discovery
document, authorization (it logs in whoever the test names, at once), token endpoint (an RS256 id token
with the nonce, issuer, audience and times Authlib checks), JWKS and an end-session endpoint. Everything
else is the real thing: Streamlit's /auth/login, /oauth2callback and /auth/logout routes with Authlib,
its signed identity cookie, and our gate reading ``st.user``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from geo.auth import users
from geo.store import audit
from geo.store.store import Store, close_all
from tests.browser._helpers import ROOT, _free_port, open_offline

pytestmark = pytest.mark.browser

CLIENT_ID = "ban-do-antt"
BUTTON = "Đăng nhập bằng tài khoản của đơn vị (OIDC)"


class _Provider:
    """A minimal OpenID Connect provider: logs in `who` (a dict of claims) at every authorization."""

    def __init__(self) -> None:
        from joserfc.jwk import RSAKey

        self.key = RSAKey.generate_key(2048, parameters={"kid": "antt-test", "use": "sig", "alg": "RS256"})
        self.who: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.logouts: list[str] = []
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, url: str) -> None:
                self.send_response(302)
                self.send_header("Location", url)
                self.end_headers()

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), "claims": dict(provider.who)}
                    target = query["redirect_uri"]
                    self._redirect(f"{target}?{urlencode({'code': code, 'state': query['state']})}")
                elif url.path == "/logout":
                    provider.logouts.append(query.get("post_logout_redirect_uri", ""))
                    self._redirect(query.get("post_logout_redirect_uri") or "/")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = provider.codes.pop(form.get("code", ""), None)
                if urlparse(self.path).path != "/token" or grant is None:
                    self.send_error(400)
                    return
                self._json(provider.token(grant))

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metadata(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def token(self, grant: dict[str, Any]) -> dict[str, Any]:
        from joserfc import jwt

        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "f3a1-" + str(grant["claims"].get("email", "")),
            "iat": now,
            "auth_time": now,
            "exp": now + 300,
            **({"nonce": grant["nonce"]} if grant["nonce"] else {}),
            **grant["claims"],
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "antt-test"}, claims, self.key)
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token}  # fmt: skip

    def __enter__(self) -> _Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def oidc_app(
    demo_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, _Provider]]:
    """The dashboard with OIDC on (provider «keycloak» = `_Provider`), an analyst and an admin in its store."""
    folder = tmp_path_factory.mktemp("oidc")
    path = folder / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    store = Store.open(url)
    users.add_user(store, "boss", "mật khẩu quản trị", "admin", by="test")
    users.add_user(store, "an@ca.thanhhoa.gov.vn", "mật khẩu không dùng tới", "analyst", by="test")
    close_all()
    with _Provider() as provider:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{base}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            "[auth.keycloak]\n"
            f'client_id = "{CLIENT_ID}"\n'
            'client_secret = "s3cret-of-the-client"\n'
            f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        log = (folder / "server.log").open("wb")  # Streamlit's and Authlib's messages, for a failure
        env = {
            **os.environ,
            "ANTT_DATABASE_URL": url,
            "ANTT_OIDC_PROVIDER": "keycloak",
            "ANTT_BCRYPT_ROUNDS": "4",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--secrets.files", str(secrets_file)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            for _ in range(120):
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("Streamlit did not start within 60 s")
            yield base, url, provider
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _wait_text(page: Any, text: str, *, timeout_ms: int = 60000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout_ms)


def test_an_analyst_logs_in_through_the_provider_and_out_again(
    browser: Any, oidc_app: tuple[str, str, _Provider], artifacts_dir: Path
) -> None:
    base, url, provider = oidc_app
    provider.who = {"email": "An@CA.ThanhHoa.gov.vn", "email_verified": True, "name": "Nguyễn Văn An"}
    page, blocked = open_offline(browser, base + "/", width=1400, height=1000)
    _wait_text(page, BUTTON)
    # The password form stays beside it (drawn a moment after the button on a loaded machine).
    page.get_by_label("Tên đăng nhập").first.wait_for(state="visible", timeout=60000)
    assert page.get_by_label("Tên đăng nhập").count() == 1
    page.screenshot(path=str(artifacts_dir / "oidc_login.png"), full_page=True)
    page.get_by_role("button", name=BUTTON).click()
    _wait_text(page, "Đang đăng nhập: an@ca.thanhhoa.gov.vn")
    _wait_text(page, "Tổng quan")
    page.get_by_role("link", name="Dữ liệu").first.wait_for(state="visible", timeout=60000)
    assert page.get_by_role("link", name="Dữ liệu").count() == 1  # an analyst's pages
    assert page.get_by_role("link", name="Quản trị").count() == 0
    page.screenshot(path=str(artifacts_dir / "oidc_logged_in.png"), full_page=True)
    store = Store.open(url)
    login = audit.entries(store, user="an@ca.thanhhoa.gov.vn", action="login")[0]
    assert login.detail == {"via": "oidc", "provider": "keycloak", "claim": "email"}
    page.get_by_role("button", name="Đăng xuất").click()
    _wait_text(page, BUTTON)
    assert provider.logouts == [f"{base}/oauth2callback"]  # the provider's session ended too
    assert audit.entries(store, action="logout")[0].detail == {"reason": "user", "via": "oidc"}
    page.reload()
    _wait_text(page, BUTTON)  # the identity cookie is gone: a new session is not logged in
    assert "an@ca.thanhhoa.gov.vn" not in page.inner_text("body")
    assert blocked == []
    page.close()
    close_all()


def test_a_name_without_an_account_is_refused_and_sees_no_data(
    browser: Any, oidc_app: tuple[str, str, _Provider], artifacts_dir: Path
) -> None:
    base, url, provider = oidc_app
    provider.who = {"email": "ke.la@ca.thanhhoa.gov.vn", "email_verified": True}
    page, _ = open_offline(browser, base + "/map", width=1400, height=1000)
    _wait_text(page, BUTTON)
    page.get_by_role("button", name=BUTTON).click()
    _wait_text(page, "chưa có tài khoản «ke.la@ca.thanhhoa.gov.vn»")
    page.screenshot(path=str(artifacts_dir / "oidc_refused.png"), full_page=True)
    body = page.inner_text("body")
    assert "Vĩnh Lộc" not in body
    assert "Tổng quan" not in body
    page.get_by_role("button", name="Đăng xuất khỏi tài khoản của đơn vị (để dùng tài khoản khác)").click()
    _wait_text(page, BUTTON)
    assert "ke.la@" not in page.inner_text("body")
    store = Store.open(url)
    failed = audit.entries(store, user="ke.la@ca.thanhhoa.gov.vn", action="login_failed")
    assert [e.detail["reason"] for e in failed] == ["unknown"]
    page.close()
    close_all()

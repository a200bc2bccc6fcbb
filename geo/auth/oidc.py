"""Login through the unit's OpenID Connect identity provider: the settings, the claims, the checks.

Streamlit does the protocol (``st.login``: the redirect, the code exchange, the id token's signature,
issuer, audience and nonce, then a signed identity cookie that fills ``st.user`` with the token's
claims). This module decides, without Streamlit, what that identity means here: one claim of the token
(`settings.OIDC_USER_CLAIM`) names an account of the store, whose role applies; accounts and roles
stay in the store, the provider only vouches for who is at the keyboard. ``ui.auth`` draws the login
button and calls these functions; `geo.auth.users.external_login` records the login.

Examples
--------
>>> account_name({"is_logged_in": True, "email": " An.Nguyen@CA.ThanhHoa.gov.vn "}, ("email",))
Claimed(name='an.nguyen@ca.thanhhoa.gov.vn', claim='email', problem=None)
>>> account_name({"preferred_username": "lan"}, ("email", "preferred_username")).name
'lan'
>>> account_name({"email": "x@y.vn", "email_verified": False}, ("email",)).problem
<Problem.UNVERIFIED: 'unverified'>
>>> claim_keys(" preferred_username , email,")
('preferred_username', 'email')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from geo import settings
from geo.auth.users import NAME_PATTERN

REQUIRED_KEYS = ("client_id", "client_secret", "server_metadata_url")
"""What ``st.login`` needs of a provider's section, besides ``redirect_uri`` and ``cookie_secret``."""

CALLBACK_PATH = "/oauth2callback"
"""The path Streamlit answers the provider's redirect on (``redirect_uri`` must end with it)."""


@dataclass(frozen=True)
class Config:
    """The OIDC settings of this server."""

    provider: str
    """``default`` (the settings directly in ``[auth]``) or the name of an ``[auth.NAME]`` section."""
    claims: tuple[str, ...]
    """The token's claims that may name the account, tried in order."""
    passwords: bool
    """The app's own password form stays beside the provider's button."""
    max_age: timedelta
    """A login older than this must be repeated."""

    @property
    def section(self) -> str:
        """Return the secrets.toml section that holds the provider's settings."""
        return "auth" if self.provider == "default" else f"auth.{self.provider}"


def claim_keys(setting: str) -> tuple[str, ...]:
    """Return the claim names of a comma-separated setting (``email`` when it names none)."""
    keys = tuple(part.strip() for part in setting.split(",") if part.strip())
    return keys or ("email",)


def configured() -> Config | None:
    """Return the OIDC settings (`settings.OIDC_PROVIDER` …), or None when OIDC is off."""
    provider = settings.OIDC_PROVIDER.strip()
    if not provider:
        return None
    return Config(
        provider=provider,
        claims=claim_keys(settings.OIDC_USER_CLAIM),
        passwords=settings.OIDC_PASSWORDS,
        max_age=timedelta(hours=settings.OIDC_MAX_HOURS),
    )


# -- the configuration ------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupProblem:
    """Why ``st.login`` cannot work with these settings: ``code`` (a word of ``[oidc.problem]``)."""

    code: str
    fields: Mapping[str, str]


def setup_problems(
    auth: Mapping[str, Any] | None,
    config: Config,
    *,
    trusted_headers: Mapping[str, Any] | None = None,
) -> list[SetupProblem]:
    """Return every reason the ``[auth]`` section of secrets.toml cannot serve ``config`` (none: fine).

    Checks what Streamlit would refuse only at the click (a missing section or key, an underscore in
    the provider's name), and what it would accept but should not be: a ``redirect_uri`` that is not
    an absolute URL ending with ``/oauth2callback``, a relative ``server_metadata_url``, a short
    ``cookie_secret`` (it signs the identity cookie), and ``server.trustedUserHeaders`` in use: those
    headers override the claims of the identity cookie, so anyone reaching the server directly could
    name themselves.
    """
    found: list[SetupProblem] = []
    if trusted_headers:
        found.append(SetupProblem("headers", {}))
    if "_" in config.provider:
        found.append(SetupProblem("provider_name", {"provider": config.provider}))
    if not auth:
        found.append(SetupProblem("no_auth", {}))
        return found
    for key in ("redirect_uri", "cookie_secret"):
        if not str(auth.get(key) or "").strip():
            found.append(SetupProblem("missing", {"key": key, "section": "auth"}))
    redirect = str(auth.get("redirect_uri") or "").strip()
    if redirect and not (_absolute(redirect) and urlparse(redirect).path.endswith(CALLBACK_PATH)):
        found.append(SetupProblem("redirect", {"value": redirect}))
    secret = str(auth.get("cookie_secret") or "")
    if secret and len(secret) < settings.OIDC_COOKIE_SECRET_MIN:
        found.append(SetupProblem("secret", {"n": str(settings.OIDC_COOKIE_SECRET_MIN)}))
    section = auth if config.provider == "default" else auth.get(config.provider)
    if not isinstance(section, Mapping):
        found.append(SetupProblem("no_section", {"section": config.section}))
        return found
    for key in REQUIRED_KEYS:
        if not str(section.get(key) or "").strip():
            found.append(SetupProblem("missing", {"key": key, "section": config.section}))
    metadata = str(section.get("server_metadata_url") or "").strip()
    if metadata and not _absolute(metadata):
        found.append(SetupProblem("url", {"value": metadata}))
    return found


def _absolute(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


# -- the identity -----------------------------------------------------------------------------
class Problem(StrEnum):
    """Why an identity the provider vouched for does not log in here."""

    NO_CLAIM = "no_claim"
    """None of the configured claims is in the token."""
    INVALID = "invalid"
    """The claim's value cannot be an account name."""
    UNVERIFIED = "unverified"
    """The name is an e-mail address the provider says it has not verified."""
    PROVIDER = "provider"
    """The identity cookie comes from another provider than the one configured."""
    UNKNOWN = "unknown"
    """No account of that name in the store."""
    DISABLED = "disabled"
    """The store's account of that name is disabled."""


@dataclass(frozen=True)
class Claimed:
    """The account an identity token names: ``name`` (normalised, or the raw value when unusable)."""

    name: str
    claim: str
    problem: Problem | None = None


def account_name(claims: Mapping[str, Any], keys: Sequence[str]) -> Claimed:
    """Return the account the token's ``claims`` name: the first of ``keys`` present, lower-cased.

    An ``email`` claim is refused when the token says ``email_verified`` is false (a provider that lets
    people edit their own address would let them choose an account); a token without
    ``email_verified`` (ADFS) is taken as the provider's word.
    """
    for key in keys:
        value = claims.get(key)
        if value is None or isinstance(value, bool) or not str(value).strip():
            continue
        raw = "".join(
            c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else "?" for c in str(value).strip()
        )
        name = raw.lower()
        if not NAME_PATTERN.fullmatch(name):
            return Claimed(raw[:80], key, Problem.INVALID)
        if key == "email" and claims.get("email_verified") is False:
            return Claimed(name, key, Problem.UNVERIFIED)
        return Claimed(name, key)
    return Claimed("", ", ".join(keys), Problem.NO_CLAIM)


def wrong_provider(claims: Mapping[str, Any], config: Config) -> str | None:
    """Return the provider the identity cookie names when it is not ``config``'s, else None."""
    got = claims.get("provider")
    if isinstance(got, str) and got and got != config.provider:
        return got
    return None


def issued_at(claims: Mapping[str, Any]) -> datetime | None:
    """Return when the provider authenticated this person (``auth_time``, else ``iat``), naive UTC."""
    for key in ("auth_time", "iat"):
        value = claims.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            try:
                return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def too_old(claims: Mapping[str, Any], now: datetime, max_age: timedelta) -> bool:
    """Return True when the login behind ``claims`` is older than ``max_age`` at ``now`` (naive UTC).

    A token without ``auth_time`` or ``iat`` is not judged here (the session's idle timeout still is).
    """
    when = issued_at(claims)
    return when is not None and now - when >= max_age

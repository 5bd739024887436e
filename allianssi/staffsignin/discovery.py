"""OpenID Connect discovery: what the issuer says of itself at
``<issuer>/.well-known/openid-configuration``, read once when the provider is set, and checked."""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass

import requests
from django.utils.translation import gettext_lazy as _

from allianssi.core.errors import DomainError

TIMEOUT_SECONDS = 10
#: Asymmetric signatures only: a token signed with the client secret (HS256) proves nothing the
#: secret's other holders could not forge.
ACCEPTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    signing_algorithms: tuple[str, ...]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(url: str, *, field: str = "issuer") -> str:
    """An https address (http only on this machine's loopback, for development and the tests)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in {"https", "http"}:
        raise DomainError(
            "oidc_address",
            _("%(address)s is not a web address."),
            field=field,
            address=url,
        )
    if parts.scheme == "http" and not _loopback(host):
        raise DomainError(
            "oidc_https",
            _("An identity provider is reached over https only: %(address)s."),
            field=field,
            address=url,
        )
    if parts.query or parts.fragment:
        raise DomainError(
            "oidc_address",
            _("%(address)s is not a web address."),
            field=field,
            address=url,
        )
    return url


def discover(issuer: str) -> Discovery:
    """Read and check the issuer's discovery document, or a :class:`DomainError` saying why not."""
    issuer = check_address(issuer.strip())
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DomainError(
            "oidc_discovery",
            _("The discovery document %(url)s could not be read: %(error)s"),
            field="issuer",
            url=url,
            error=str(error),
        ) from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise DomainError(
            "oidc_issuer_mismatch",
            _("The discovery document names another issuer than %(issuer)s."),
            field="issuer",
            issuer=issuer,
        )
    endpoints: dict[str, str] = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value:
            raise DomainError(
                "oidc_discovery_incomplete",
                _("The discovery document gives no %(name)s."),
                field="issuer",
                name=name,
            )
        endpoints[name] = check_address(value)
    userinfo = document.get("userinfo_endpoint") or ""
    if userinfo:
        check_address(str(userinfo))
    if "code" not in document.get("response_types_supported", ["code"]):
        raise DomainError(
            "oidc_no_code_flow",
            _("The identity provider does not offer the authorization code flow."),
            field="issuer",
        )
    if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
        raise DomainError(
            "oidc_no_pkce",
            _("The identity provider does not offer PKCE with S256."),
            field="issuer",
        )
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(alg for alg in offered if alg in ACCEPTED_ALGORITHMS)
    if not algorithms:
        raise DomainError(
            "oidc_algorithms",
            _("The identity provider signs its tokens with none of %(accepted)s."),
            field="issuer",
            accepted=", ".join(ACCEPTED_ALGORITHMS),
        )
    return Discovery(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        userinfo_endpoint=str(userinfo),
        signing_algorithms=algorithms,
    )

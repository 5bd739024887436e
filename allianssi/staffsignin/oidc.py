"""The OpenID Connect flow, by mozilla-django-oidc (ADR 0019), with the provider per organisation.

The library's views and backend read one provider from the settings; here they take it from the
organisation's :class:`IdentityProvider` row instead:

- :class:`BeginView` sends the browser to the provider (authorization code flow with PKCE S256,
  ``state`` and ``nonce`` kept in the session by the library) and remembers, by ``state``, which
  provider was asked;
- :class:`CallbackView` accepts the answer only for a ``state`` this browser started and has not
  used yet, and only from the provider that ``state`` was given to;
- :class:`OrganisationBackend` exchanges the code (with the PKCE verifier and the client secret),
  verifies the ID token — signature by a key of the provider's JWKS, issuer, audience (and
  ``azp``), expiry, ``nonce`` — and finds the user (:mod:`allianssi.staffsignin.matching`).

Every sign-in, successful or refused, is recorded and audited (:func:`sign_in_record`); a refused
one also counts as a failed login for the lockout (django-axes), which Django signals.
"""

from __future__ import annotations

import hmac
import logging
import urllib.parse
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from allianssi.accounts.backends import user_with_organisation
from allianssi.accounts.throttle import client_address
from allianssi.staffsignin import sealing
from allianssi.staffsignin.discovery import ACCEPTED_ALGORITHMS, TIMEOUT_SECONDS
from allianssi.staffsignin.matching import Refused, message, user_for_claims
from allianssi.staffsignin.models import IdentityProvider
from allianssi.staffsignin.services import sign_in_record

logger = logging.getLogger(__name__)

#: The library's settings, fixed here rather than in the settings modules: they are this
#: module's design, not a deployment's choice.
FIXED: dict[str, Any] = {
    "OIDC_RP_SCOPES": "openid email profile",
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_PKCE_CODE_VERIFIER_SIZE": 64,
    "OIDC_STATE_SIZE": 32,
    "OIDC_NONCE_SIZE": 32,
    "OIDC_MAX_STATES": 10,
    "OIDC_CREATE_USER": False,
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_STORE_ID_TOKEN": False,
    "OIDC_ALLOW_UNSECURED_JWT": False,
    "OIDC_TOKEN_USE_BASIC_AUTH": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_TIMEOUT": TIMEOUT_SECONDS,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "staffsignin:callback",
    "OIDC_REDIRECT_FIELD_NAME": "next",
}
#: Seconds of clock difference allowed between this server and the provider.
LEEWAY_SECONDS = 60
#: Session key: state → the pk of the provider it was sent to.
PENDING = "staffsignin_pending"


def _setting(attr: str, *default: Any) -> Any:
    if attr in FIXED:
        return FIXED[attr]
    return import_from_settings(attr, *default)


class OrganisationBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Authenticates only inside :class:`CallbackView` (``request.staffsignin_provider`` set);
    for every other login (the password form) it answers ``None`` at once."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads one provider from the settings here; ours comes per request.
        self.UserModel = get_user_model()

    def get_user(self, user_id: int) -> Any:
        # Django's own, which the library replaces with one that also returns inactive users:
        # a user deactivated after signing in here must lose the session at the next request.
        return user_with_organisation(user_id)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        provider: IdentityProvider | None = getattr(request, "staffsignin_provider", None)
        if request is None or provider is None:
            return None
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = sealing.unseal(provider.client_secret_sealed)
        self.OIDC_RP_SIGN_ALGO = "RS256"  # the library then takes the key from the JWKS
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refused:
            request.staffsignin_refused = refused.reason  # type: ignore[attr-defined]
        except (requests.RequestException, ValueError, KeyError) as error:
            logger.warning("identity provider %s: %s", provider.pk, error)
            request.staffsignin_refused = "unreachable"  # type: ignore[attr-defined]
        return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        nonce = kwargs.get("nonce")
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError:
            raise Refused("token") from None
        if algorithm not in ACCEPTED_ALGORITHMS or algorithm not in (
            self.provider.signing_algorithms or ACCEPTED_ALGORITHMS
        ):
            raise Refused("algorithm")
        try:
            key = self.retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise Refused("signature") from None  # no key of the provider's has that kid
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Refused("expired") from None
        except jwt.InvalidAudienceError:
            raise Refused("audience") from None
        except jwt.MissingRequiredClaimError as error:
            raise Refused("audience" if error.claim == "aud" else "token") from None
        except jwt.InvalidIssuerError:
            raise Refused("issuer") from None
        except jwt.InvalidSignatureError:
            raise Refused("signature") from None
        except jwt.InvalidTokenError:
            raise Refused("token") from None
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.provider.client_id:
            raise Refused("audience")
        if not isinstance(nonce, str) or not hmac.compare_digest(
            str(payload.get("nonce", "")), nonce
        ):
            raise Refused("nonce")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The verified ID token's claims; the e-mail address from the userinfo endpoint only if
        the ID token has none, and only for the same subject."""
        claims = dict(payload)
        if "email" not in claims and self.OIDC_OP_USER_ENDPOINT and access_token:
            response = requests.get(
                self.OIDC_OP_USER_ENDPOINT,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=TIMEOUT_SECONDS,
            )
            response.raise_for_status()
            info = response.json()
            if isinstance(info, dict) and info.get("sub") == claims["sub"]:
                for name in ("email", "email_verified"):
                    if name in info:
                        claims[name] = info[name]
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        user = user_for_claims(self.provider, claims)
        self.request.staffsignin_subject = str(claims["sub"])
        return user


@method_decorator(never_cache, name="dispatch")
class BeginView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """GET: to the organisation's provider, with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(_setting)

    def __init__(self, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)  # not the settings

    def get(self, request: HttpRequest, provider_id: int) -> HttpResponse:
        provider = IdentityProvider.objects.filter(pk=provider_id, enabled=True).first()
        if provider is None:
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        query = urllib.parse.urlsplit(response["Location"]).query
        state = urllib.parse.parse_qs(query)["state"][0]
        live = set(request.session.get("oidc_states", {}))
        pending = {s: p for s, p in request.session.get(PENDING, {}).items() if s in live}
        pending[state] = provider.pk
        request.session[PENDING] = pending
        return response


@method_decorator(never_cache, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """GET: the provider's answer. Anything but a verified sign-in of an active user of the
    provider's organisation ends on a page that says what went wrong."""

    get_settings = staticmethod(_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.provider: IdentityProvider | None = None
        state = request.GET.get("state", "")
        pending = dict(request.session.get(PENDING, {}))
        provider_id = pending.pop(state, None)
        request.session[PENDING] = pending
        states = request.session.get("oidc_states", {})
        if provider_id is None or state not in states:
            return self._refuse("state", signal=True)
        self.provider = IdentityProvider.objects.filter(pk=provider_id).first()
        if self.provider is None or not self.provider.enabled:
            del states[state]
            request.session.modified = True
            return self._refuse("disabled", signal=True)
        request.staffsignin_provider = self.provider  # type: ignore[attr-defined]
        if "code" not in request.GET and "error" not in request.GET:
            del states[state]
            request.session.modified = True
            return self._refuse("denied", signal=True)
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        # Django has signalled the failed login (axes counts it), unless the provider said no.
        refused = getattr(self.request, "staffsignin_refused", None)
        if self.request.GET.get("error"):
            return self._refuse("denied", signal=True)
        return self._refuse(refused or "locked", signal=False)

    def login_success(self) -> HttpResponse:
        sign_in_record(
            provider=self.provider,
            user=self.user,
            subject=getattr(self.request, "staffsignin_subject", ""),
            address=client_address(self.request),
        )
        response: HttpResponse = super().login_success()
        return response

    def _refuse(self, reason: str, *, signal: bool) -> HttpResponse:
        request = self.request
        if signal:
            user_login_failed.send(sender=__name__, credentials={"username": None}, request=request)
        sign_in_record(
            provider=self.provider, user=None, reason=reason, address=client_address(request)
        )
        logger.info("staff sign-in refused: %s", reason)
        return render(
            request,
            "staffsignin/refused.html",
            {
                "message": message(reason),
                "start_url": reverse("staffsignin:start"),
                "provider": self.provider,
            },
            status=403,
        )

"""An organisation's identity provider for the tests: a real OpenID Connect provider, made with
Authlib's authorization server (authorization code grant, PKCE, OpenID Connect's ID token),
served over HTTP on 127.0.0.1 by a small WSGI server in a thread.

The sign-in page of a real provider is replaced by :attr:`Provider.person`: whoever the test
puts there is the person who "signed in" at the provider. Everything else — the authorization
request's checks (client, redirect address, PKCE challenge, nonce), single-use codes, the client's
authentication at the token endpoint, the PKCE verifier, the signed ID token, the JWKS — is
Authlib's. A provider can also be made to misbehave, as a broken or hostile one would:
:attr:`Provider.claims_override` puts other claims in its ID tokens (another audience, an expired
token, another nonce), and :attr:`Provider.sign_with_stranger_key` signs them with a key that is
not in its JWKS (under the same key id).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import traceback
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

KID = "signing-key-1"


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_post", "client_secret_basic"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    person: dict[str, Any]
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, method: str, uri: str, headers: dict[str, str], data: dict[str, str]):
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(data)
        self._data = data

    @property
    def args(self) -> dict[str, str]:
        return self._data if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._data if self.method == "POST" else {}


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.provider = provider

    def query_client(self, client_id: str) -> Client | None:
        return self.provider.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.provider.access_tokens[token["access_token"]] = dict(request.user)

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return _Request(*request)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError

    def handle_response(
        self, status: int, body: Any, headers: Iterable[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        payload = request.payload
        provider: Provider = self.server.provider
        provider.codes[code] = Code(
            code=code,
            client_id=payload.client_id,
            redirect_uri=payload.redirect_uri,
            scope=payload.scope,
            nonce=payload.data.get("nonce"),
            code_challenge=payload.data.get("code_challenge"),
            code_challenge_method=payload.data.get("code_challenge_method"),
            person=dict(request.user),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found: Code | None = self.server.provider.codes.get(code)
        if found is not None and found.client_id == client.client_id:
            return found
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return authorization_code.person


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return (
            self.provider.stranger_key
            if self.provider.sign_with_stranger_key
            else self.provider.key
        )

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KID}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.client_id]}

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        claims = {"sub": user["sub"]}
        if "email" in scope.split():
            claims.update({k: user[k] for k in ("email", "email_verified") if k in user})
        if "profile" in scope.split() and "name" in user:
            claims["name"] = user["name"]
        claims.update(self.provider.claims_override)
        return claims


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Provider:
    """The provider, serving at :attr:`issuer` until :meth:`stop`."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID}, private=True)
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": KID}, private=True)
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.person: dict[str, Any] | None = None
        self.claims_override: dict[str, Any] = {}
        self.sign_with_stranger_key = False
        self.token_requests: list[dict[str, str]] = []
        self.server = _Server(self)
        self.server.register_token_generator(
            "default",
            BearerTokenGenerator(access_token_generator=lambda *a, **k: secrets.token_urlsafe(32)),
        )
        self.server.register_grant(_CodeGrant, [CodeChallenge(required=True), _OpenIDCode(self)])
        self._httpd: WSGIServer = make_server(
            "127.0.0.1", 0, self._app, handler_class=_QuietHandler
        )
        self.issuer = f"http://127.0.0.1:{self._httpd.server_port}/realms/test"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def register(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri])

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    # The WSGI application --------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        try:
            status, body, headers = self._route(environ)
        except Exception:  # a broken test provider must say why, not hang the test
            status, body, headers = 500, {"error": traceback.format_exc()[-1500:]}, []
        if isinstance(body, dict):
            body = json.dumps(body)
            headers = [*headers, ("Content-Type", "application/json")]
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized"}.get(status, "X")
        start_response(f"{status} {reason}", [(str(k), str(v)) for k, v in headers])
        return [str(body or "").encode()]

    def _route(self, environ: dict[str, Any]) -> tuple[int, Any, list[tuple[str, str]]]:
        path = environ["PATH_INFO"].removeprefix("/realms/test")
        method = environ["REQUEST_METHOD"]
        query = environ.get("QUERY_STRING", "")
        uri = f"{self.issuer}{path}" + (f"?{query}" if query else "")
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        data = dict(urllib.parse.parse_qsl(query))
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            data.update(urllib.parse.parse_qsl(environ["wsgi.input"].read(length).decode()))
        request = (method, uri, headers, data)
        if path == "/.well-known/openid-configuration":
            return 200, self.discovery(), []
        if path == "/jwks":
            return 200, {"keys": [self.key.as_dict(private=False)]}, []
        if path == "/authorize":
            try:
                grant = self.server.get_consent_grant(request=request, end_user=self.person)
            except OAuth2Error as error:
                return 400, dict(error.get_body()), []
            return self.server.create_authorization_response(
                request=request, grant_user=self.person, grant=grant
            )
        if path == "/token" and method == "POST":
            self.token_requests.append(data)
            return self.server.create_token_response(request)
        if path == "/userinfo":
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            person = self.access_tokens.get(token)
            if person is None:
                return 401, {"error": "invalid_token"}, []
            return 200, person, []
        return 404, {"error": "not_found"}, []

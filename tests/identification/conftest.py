"""A Suomi.fi stand-in: a SAML identity provider made with pysaml2 inside the test suite.

Its keys, and the service provider's, are generated with ``cryptography`` when the tests start
(self-signed certificates, fixed validity dates); its metadata goes into a file that the service
provider is configured with, through the ``settings`` fixture, and the service provider's metadata
is read from its own /tunnistus/metadata/ page. Nothing goes over the network: the browser is
Django's test client, and the messages pass through the test's hands.
"""

from __future__ import annotations

import base64
import datetime as dt
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from saml2 import BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from allianssi.identification import saml

XMLSEC1 = "/usr/bin/xmlsec1"
IDP = "https://tunnistus.example.test/idp"
SP_BASE = "https://allianssi.example.test"
SP_ENTITY = f"{SP_BASE}/saml"
OTHER_SP = "https://other.example.test/saml"
LOA3 = "http://ftn.ficora.fi/2017/loa3"

#: What the stand-in releases about the person, as Suomi.fi would.
AINO = {
    "nationalIdentificationNumber": ["010280-952L"],
    "displayName": ["Aino Testinen"],
    "givenName": ["Aino"],
    "sn": ["Testinen"],
}


@dataclass(frozen=True)
class KeyPair:
    key: str
    cert: str

    def cert_body(self) -> str:
        """The certificate as metadata carries it: base64 without the PEM armour."""
        lines = Path(self.cert).read_text().strip().splitlines()
        return "".join(line for line in lines if "-----" not in line)


def _keypair(directory: Path, name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2099, 12, 31, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    key_path = directory / f"{name}.key"
    cert_path = directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KeyPair(key=str(key_path), cert=str(cert_path))


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyPair]:
    """Throwaway keys: the identity provider's, an impostor's, and the service provider's two."""
    directory = tmp_path_factory.mktemp("saml-keys")
    return {
        name: _keypair(directory, name)
        for name in ["idp", "impostor", "sp-signing", "sp-encryption"]
    }


class _IdPConfig(IdPConfig):
    """The stand-in knows Suomi.fi's attribute names, as the service provider does."""

    def load_complex(self, cnf: dict[str, Any]) -> None:
        self.setattr("", "attribute_converters", saml.attribute_converters())
        if "metadata" in cnf:
            self.setattr("", "metadata", self.load_metadata(cnf["metadata"]))
        for service, spec in cnf.get("service", {}).items():
            self.setattr(service, "policy", Policy(spec.get("policy"), self.metadata))


def _idp_config(pair: KeyPair, sp_metadata: list[str] | None) -> IdPConfig:
    cnf: dict[str, Any] = {
        "entityid": IDP,
        "xmlsec_binary": XMLSEC1,
        "key_file": pair.key,
        "cert_file": pair.cert,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{IDP}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{IDP}/slo", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "want_authn_requests_signed": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                        "fail_on_missing_requested": False,
                    }
                },
            }
        },
    }
    if sp_metadata:
        cnf["metadata"] = {"local": sp_metadata}
    return _IdPConfig().load(cnf)


class IdentityProvider:
    """The stand-in. ``authn_request`` reads (and checks the signature of) what the service
    provider sent the browser with; ``respond`` makes the answer the browser posts back."""

    def __init__(self, directory: Path, pair: KeyPair) -> None:
        self.directory = directory
        self.pair = pair
        self.metadata_path = directory / "idp-metadata.xml"
        xml = metadata_tostring_fix(
            entity_descriptor(_idp_config(pair, None)),
            {"xs": "http://www.w3.org/2001/XMLSchema"},
        )
        self.metadata_path.write_bytes(xml if isinstance(xml, bytes) else xml.encode())
        self.server: Server | None = None

    def trust(self, sp_metadata: bytes) -> None:
        """Trust the service provider, and another one with its keys but another entity id (to
        make responses for the wrong audience)."""
        path = self.directory / "sp-metadata.xml"
        path.write_bytes(sp_metadata)
        other = self.directory / "other-sp-metadata.xml"
        other.write_bytes(sp_metadata.replace(SP_ENTITY.encode(), OTHER_SP.encode()))
        self.server = Server(config=_idp_config(self.pair, [str(path), str(other)]))

    def authn_request(self, location: str) -> Any:
        assert self.server is not None
        assert location.startswith(f"{IDP}/sso?")
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        return self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )

    def respond(
        self,
        in_response_to: str,
        identity: dict[str, list[str]] | None = None,
        *,
        audience: str = SP_ENTITY,
        encrypt: bool = True,
        status: Any = None,
    ) -> str:
        """A signed response (and assertion), its assertion encrypted for the service provider,
        base64-encoded as the HTTP-POST binding carries it."""
        assert self.server is not None
        destination = f"{SP_BASE}/tunnistus/acs/"
        if status is not None:
            response = self.server.create_error_response(
                in_response_to, destination, status, sign=True
            )
            return base64.b64encode(str(response).encode()).decode()
        response = self.server.create_authn_response(
            identity if identity is not None else AINO,
            in_response_to,
            destination,
            audience,
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_transient-aino"),
            authn={"class_ref": LOA3, "authn_auth": IDP},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=encrypt,
            encrypt_assertion_self_contained=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return base64.b64encode(str(response).encode()).decode()


def _configure(settings: Any, idp: IdentityProvider, sp_keys: dict[str, KeyPair]) -> None:
    settings.ALLIANSSI_SAML_IDP_METADATA = str(idp.metadata_path)
    settings.ALLIANSSI_SAML_SP_ENTITY_ID = SP_ENTITY
    settings.ALLIANSSI_SAML_SP_BASE_URL = SP_BASE
    settings.ALLIANSSI_SAML_SP_KEY = sp_keys["sp-signing"].key
    settings.ALLIANSSI_SAML_SP_CERT = sp_keys["sp-signing"].cert
    settings.ALLIANSSI_SAML_SP_ENCRYPTION_KEY = sp_keys["sp-encryption"].key
    settings.ALLIANSSI_SAML_SP_ENCRYPTION_CERT = sp_keys["sp-encryption"].cert
    settings.ALLIANSSI_SAML_XMLSEC1 = XMLSEC1


@pytest.fixture
def idp(settings: Any, keys: dict[str, KeyPair], tmp_path: Path) -> IdentityProvider:
    """The stand-in, trusted by the service provider and trusting it."""
    provider = IdentityProvider(tmp_path, keys["idp"])
    _configure(settings, provider, keys)
    metadata = Client().get("/tunnistus/metadata/")
    assert metadata.status_code == 200, metadata.content
    provider.trust(metadata.content)
    return provider


@pytest.fixture
def impostor(keys: dict[str, KeyPair], tmp_path: Path, idp: IdentityProvider) -> IdentityProvider:
    """Another identity provider with Suomi.fi's entity id but a key of its own."""
    directory = tmp_path / "impostor"
    directory.mkdir()
    provider = IdentityProvider(directory, keys["impostor"])
    provider.trust((tmp_path / "sp-metadata.xml").read_bytes())
    return provider


def begin(client: Client, idp: IdentityProvider, next_url: str | None = None) -> Any:
    """Press "Identify yourself with Suomi.fi": the stand-in's view of the request."""
    query = f"?{urllib.parse.urlencode({'next': next_url})}" if next_url else ""
    response = client.get(f"/tunnistus/kirjaudu/{query}")
    assert response.status_code == 302, response.content
    return idp.authn_request(response["Location"])


def post_response(client: Client, saml_response: str) -> Any:
    return client.post("/tunnistus/acs/", {"SAMLResponse": saml_response})

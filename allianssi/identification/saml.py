"""Suomi.fi-tunnistus as a SAML 2.0 service provider, with pysaml2.

Everything SAML goes through here; the views only pass the browser's messages in and follow the
answers out. The configuration comes from settings (``ALLIANSSI_SAML_*``, read from the
environment in ``config/settings/base.py``) and the identity provider's metadata from a local file:
nothing is fetched over the network.

What Suomi.fi asks of a service provider, and what this module does about it
(https://kehittajille.suomi.fi/services/e-identification/technical-description):

- The authentication request goes by HTTP-Redirect, signed (RSA-SHA256); the response comes back
  by HTTP-POST to the assertion consumer service.
- Suomi.fi signs its response and the assertion in it, and encrypts the assertion with the key in
  the service provider's metadata. :func:`consume` requires all three: a response whose assertion
  is not encrypted, or whose response or assertion is not signed, is refused.
- The name identifier is transient; single logout goes by HTTP-Redirect, signed both ways.
- The attributes released are those the metadata asks for (``AttributeConsumingService``): the
  personal identity code and the names, nothing else (:data:`REQUESTED`).

pysaml2 checks the signatures (with xmlsec1), decrypts the assertion, and checks the audience, the
recipient, the validity times and ``InResponseTo`` against the requests this browser started.
"""

from __future__ import annotations

import base64
import logging
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.attribute_converter import AttributeConverter
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.response import StatusError
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

logger = logging.getLogger(__name__)

#: Suomi.fi's attributes by their SAML friendly names. The personal identity code is the one this
#: service needs; the names are for greeting the person. (The population register's addresses and
#: the rest of Suomi.fi's "extensive" data are not asked for.)
ATTRIBUTES: dict[str, str] = {
    "nationalIdentificationNumber": "urn:oid:1.2.246.21",  # henkilötunnus
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",  # kutsumanimi + sukunimi
    "givenName": "urn:oid:2.5.4.42",  # kutsumanimi
    "sn": "urn:oid:2.5.4.4",  # sukunimi
    "FirstName": "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName",  # etunimet
    "FamilyName": "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName",
}
HETU = "nationalIdentificationNumber"
#: Required, then optional: what the metadata asks Suomi.fi to release.
REQUESTED = ([HETU], ["displayName", "givenName", "sn", "FirstName", "FamilyName"])

#: The levels of assurance the service accepts (``FinnishAuthMethod`` in the metadata): strong
#: identification, substantial or high, Finnish or eIDAS. The test environment also knows the test
#: method ``urn:oid:1.2.246.517.3002.110.999``; set ``ALLIANSSI_SAML_AUTH_METHODS`` to add it.
STRONG_METHODS = (
    "http://ftn.ficora.fi/2017/loa3",
    "http://eidas.europa.eu/LoA/high",
    "http://ftn.ficora.fi/2017/loa2",
    "http://eidas.europa.eu/LoA/substantial",
)

#: Clock skew tolerated between Suomi.fi and this server, in seconds.
ACCEPTED_TIME_DIFF = 60


class Refused(Exception):
    """A response, or a logout message, that is not accepted. ``reason`` is a stable code:

    - ``cancelled``: the person cancelled, or the identification service could not identify them;
    - ``no_hetu``: the identification carried no Finnish personal identity code;
    - ``invalid``: anything wrong with the message itself (signature, encryption, audience,
      validity time, an unknown or already used request, a wrong issuer).
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail  # for the log; never carries personal data


class Unavailable(Exception):
    """The configuration cannot be loaded (a missing or broken file, no xmlsec1)."""


@dataclass(frozen=True)
class Options:
    """The SAML settings, as configured."""

    idp_metadata: str
    entity_id: str
    base_url: str
    key: str
    cert: str
    encryption_key: str
    encryption_cert: str
    xmlsec1: str
    auth_methods: tuple[str, ...]
    organization: str
    contact_email: str


def options() -> Options | None:
    """The configuration, or ``None`` if Suomi.fi identification is not configured."""
    entity_id = settings.ALLIANSSI_SAML_SP_ENTITY_ID
    values = {
        "idp_metadata": settings.ALLIANSSI_SAML_IDP_METADATA,
        "entity_id": entity_id,
        "key": settings.ALLIANSSI_SAML_SP_KEY,
        "cert": settings.ALLIANSSI_SAML_SP_CERT,
    }
    if not all(values.values()):
        return None
    base_url = settings.ALLIANSSI_SAML_SP_BASE_URL or _origin(entity_id)
    return Options(
        base_url=base_url.rstrip("/"),
        encryption_key=settings.ALLIANSSI_SAML_SP_ENCRYPTION_KEY or values["key"],
        encryption_cert=settings.ALLIANSSI_SAML_SP_ENCRYPTION_CERT or values["cert"],
        xmlsec1=settings.ALLIANSSI_SAML_XMLSEC1,
        auth_methods=tuple(settings.ALLIANSSI_SAML_AUTH_METHODS) or STRONG_METHODS,
        organization=settings.ALLIANSSI_SAML_ORGANIZATION,
        contact_email=settings.ALLIANSSI_SAML_CONTACT_EMAIL,
        **values,
    )


def configured() -> bool:
    return options() is not None


def problems() -> list[str]:
    """What is wrong with the configuration (for the system check), if it is configured."""
    opts = options()
    if opts is None:
        return []
    found = []
    for name, path in [
        ("ALLIANSSI_SAML_IDP_METADATA", opts.idp_metadata),
        ("ALLIANSSI_SAML_SP_KEY", opts.key),
        ("ALLIANSSI_SAML_SP_CERT", opts.cert),
        ("ALLIANSSI_SAML_SP_ENCRYPTION_KEY", opts.encryption_key),
        ("ALLIANSSI_SAML_SP_ENCRYPTION_CERT", opts.encryption_cert),
        ("ALLIANSSI_SAML_XMLSEC1", opts.xmlsec1),
    ]:
        if not Path(path).is_file():
            found.append(f"{name}: no such file: {path}")
    if not urllib.parse.urlsplit(opts.base_url).scheme.startswith("http"):
        found.append("ALLIANSSI_SAML_SP_BASE_URL: not an http(s) address; set it explicitly")
    return found


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def attribute_converters() -> list[AttributeConverter]:
    """pysaml2's converter between Suomi.fi's attribute URIs and their friendly names."""
    converter = AttributeConverter()
    converter.from_dict(
        {
            "identifier": NAME_FORMAT_URI,
            "to": dict(ATTRIBUTES),
            "fro": {uri: name for name, uri in ATTRIBUTES.items()},
        }
    )
    return [converter]


class _Config(SPConfig):  # type: ignore[misc]
    """pysaml2's SP configuration with Suomi.fi's attribute names instead of its built-in maps."""

    def load_complex(self, cnf: dict[str, Any]) -> None:
        self.setattr("", "attribute_converters", attribute_converters())
        if "metadata" in cnf:
            self.setattr("", "metadata", self.load_metadata(cnf["metadata"]))


def url(opts: Options, name: str) -> str:
    return opts.base_url + reverse(f"identification:{name}")


#: The description of the service in its metadata, in each language.
DESCRIPTION = gettext_lazy("Services of the growth-services alliance")


def _in_each_language(text: Promise) -> list[dict[str, str]]:
    values = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values.append({"text": str(text), "lang": code})
    return values


def config(opts: Options) -> SPConfig:
    """pysaml2's configuration of this service provider."""
    required, optional = REQUESTED
    sp: dict[str, Any] = {
        "name": "Allianssi",
        "endpoints": {
            "assertion_consumer_service": [(url(opts, "acs"), BINDING_HTTP_POST)],
            "single_logout_service": [(url(opts, "sls"), BINDING_HTTP_REDIRECT)],
        },
        "authn_requests_signed": True,
        "logout_requests_signed": True,
        "logout_responses_signed": True,
        "want_response_signed": True,
        "want_assertions_signed": True,
        "allow_unsolicited": False,
        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
        "name_id_policy_format": NAMEID_FORMAT_TRANSIENT,
        "required_attributes": required,
        "optional_attributes": optional,
        "requested_attribute_name_format": NAME_FORMAT_URI,
        "ui_info": {
            "display_name": [{"text": "Allianssi", "lang": c} for c, _n in settings.LANGUAGES],
            "description": _in_each_language(DESCRIPTION),
        },
    }
    cnf: dict[str, Any] = {
        "entityid": opts.entity_id,
        "xmlsec_binary": opts.xmlsec1,
        "key_file": opts.key,
        "cert_file": opts.cert,
        "encryption_keypairs": [
            {"key_file": opts.encryption_key, "cert_file": opts.encryption_cert}
        ],
        "metadata": {"local": [opts.idp_metadata]},
        "accepted_time_diff": ACCEPTED_TIME_DIFF,
        "allow_unknown_attributes": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "entity_attributes": [
            {
                "name": "FinnishAuthMethod",
                "format": NAME_FORMAT_URI,
                "values": list(opts.auth_methods),
            }
        ],
        "service": {"sp": sp},
    }
    if opts.organization:
        cnf["organization"] = {
            "name": [(opts.organization, c) for c, _n in settings.LANGUAGES],
            "display_name": [(opts.organization, c) for c, _n in settings.LANGUAGES],
            "url": [(opts.base_url, c) for c, _n in settings.LANGUAGES],
        }
    if opts.contact_email:
        cnf["contact_person"] = [
            {"contact_type": kind, "email_address": [opts.contact_email]}
            for kind in ("technical", "support")
        ]
    return _Config().load(cnf)


def client(opts: Options) -> Saml2Client:
    try:
        return Saml2Client(config=config(opts))
    except Exception as exc:
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc


def idp_entity_id(sp: Saml2Client) -> str:
    """The identity provider: the (first) one in its metadata file."""
    idps = sorted(sp.metadata.identity_providers())
    if not idps:
        raise Refused("invalid", "no identity provider in the metadata file")
    return str(idps[0])


def metadata_xml(opts: Options) -> str:
    """This service provider's metadata, to register with Suomi.fi."""
    descriptor = entity_descriptor(config(opts))
    xml = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"})
    return xml.decode() if isinstance(xml, bytes) else str(xml)


# Signing in -------------------------------------------------------------------------------------


def begin(opts: Options) -> tuple[str, str]:
    """A signed authentication request: its id, and the address that takes the browser there."""
    sp = client(opts)
    request_id, info = sp.prepare_for_authenticate(
        entityid=idp_entity_id(sp),
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return request_id, dict(info["headers"])["Location"]


@dataclass(frozen=True)
class Subject:
    """Who the identity provider signed in, as it knows them: what single logout needs."""

    name_id: str
    name_id_format: str
    name_qualifier: str
    sp_name_qualifier: str
    session_index: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name_id": self.name_id,
            "name_id_format": self.name_id_format,
            "name_qualifier": self.name_qualifier,
            "sp_name_qualifier": self.sp_name_qualifier,
            "session_index": self.session_index,
        }

    def name_id_element(self) -> NameID:
        return NameID(
            text=self.name_id,
            format=self.name_id_format or None,
            name_qualifier=self.name_qualifier or None,
            sp_name_qualifier=self.sp_name_qualifier or None,
        )


@dataclass(frozen=True)
class Identification:
    """Who Suomi.fi identified, in answer to which request."""

    hetu: str
    name: str
    request_id: str
    subject: Subject | None

    def __repr__(self) -> str:  # never the personal identity code in a log or a traceback
        return f"Identification(request_id={self.request_id!r})"


def _first(ava: dict[str, list[Any]], name: str) -> str:
    for value in ava.get(name) or ava.get(ATTRIBUTES[name].lower()) or []:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def person_name(ava: dict[str, list[Any]]) -> str:
    """The name to greet the person by: the display name, else given and family name."""
    display = _first(ava, "displayName")
    if display:
        return display
    for given, family in [("givenName", "sn"), ("FirstName", "FamilyName")]:
        parts = [_first(ava, given), _first(ava, family)]
        if any(parts):
            return " ".join(p for p in parts if p)
    return ""


def _require_encrypted(saml_response: str) -> None:
    """Suomi.fi encrypts every assertion; one in clear was not made by it for this service."""
    try:
        xml = base64.b64decode(saml_response, validate=False)
        message = samlp.response_from_string(xml)
    except Exception as exc:
        raise Refused("invalid", f"not a SAML response ({type(exc).__name__})") from None
    if message is None:
        raise Refused("invalid", "not a SAML response")
    status = (
        message.status.status_code.value if message.status and message.status.status_code else ""
    )
    if status != samlp.STATUS_SUCCESS:
        return  # no assertion: pysaml2 checks the signature, then refuses by the status
    if message.assertion or len(message.encrypted_assertion) != 1:
        raise Refused("invalid", "the assertion is not encrypted")


def _why(exc: Exception) -> str:
    """What pysaml2 refused, for the log: the exception's type; its message only where it is
    known to carry no personal data."""
    if "AudienceRestrictions" in str(exc):
        return "wrong audience"
    return type(exc).__name__


def consume(opts: Options, saml_response: str, outstanding: dict[str, str]) -> Identification:
    """The identification in a response to one of the ``outstanding`` requests (id → next), or
    :class:`Refused`. Whatever is wrong with the response, the answer is a refusal, never an
    unexpected exception."""
    _require_encrypted(saml_response)
    sp = client(opts)
    expected_issuer = idp_entity_id(sp)
    try:
        response = sp.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=dict(outstanding)
        )
    except StatusError as exc:  # a signed answer that the person was not identified
        raise Refused("cancelled", type(exc).__name__) from None
    except Exception as exc:  # pysaml2 refuses with many exception types, some of them bare
        raise Refused("invalid", _why(exc)) from None
    if response is None or response.assertion is None:
        raise Refused("invalid", "no assertion")
    if response.issuer() != expected_issuer:
        raise Refused("invalid", "issued by another identity provider")
    if response.in_response_to not in outstanding:
        raise Refused("invalid", "not a response to a request of this browser")
    ava = response.ava or {}
    hetu = _first(ava, HETU)
    if not hetu:
        raise Refused("no_hetu", "no nationalIdentificationNumber attribute")
    name_id = response.name_id
    session_index = ""
    statements = getattr(response.assertion, "authn_statement", None) or []
    if statements and statements[0].session_index:
        session_index = statements[0].session_index
    subject = None
    if name_id is not None and name_id.text:
        subject = Subject(
            name_id=name_id.text,
            name_id_format=name_id.format or "",
            name_qualifier=name_id.name_qualifier or "",
            sp_name_qualifier=name_id.sp_name_qualifier or "",
            session_index=session_index,
        )
    return Identification(
        hetu=hetu,
        name=person_name(ava),
        request_id=response.in_response_to,
        subject=subject,
    )


# Signing out ------------------------------------------------------------------------------------


def logout_request(opts: Options, subject: Subject) -> tuple[str, str] | None:
    """A signed logout request for the identity provider: its id and the address, or ``None`` if
    the identity provider takes none."""
    sp = client(opts)
    idp = idp_entity_id(sp)
    try:
        destinations = sp.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        return None
    if not destinations:
        return None
    destination = destinations[0]["location"]
    request_id, message = sp.create_logout_request(
        destination,
        idp,
        name_id=subject.name_id_element(),
        session_indexes=[subject.session_index] if subject.session_index else None,
        sign=False,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT, str(message), destination, sign=True, sigalg=SIG_RSA_SHA256
    )
    return request_id, dict(info["headers"])["Location"]


def logout_origins(opts: Options) -> list[str]:
    """The origins (scheme and host) of the identity provider's single logout service."""
    sp = client(opts)
    services = sp.metadata.single_logout_service(idp_entity_id(sp), BINDING_HTTP_REDIRECT, "idpsso")
    origins = set()
    for service in services or []:
        parts = urllib.parse.urlsplit(service["location"])
        if parts.scheme in {"https", "http"} and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _redirect_params(query: dict[str, str], kind: str) -> dict[str, str]:
    params = {k: query[k] for k in (kind, "RelayState", "SigAlg", "Signature") if k in query}
    if kind not in params:
        raise Refused("invalid", f"no {kind}")
    return params


def _verify_redirect(sp: Saml2Client, idp: str, params: dict[str, str]) -> None:
    if "Signature" not in params or "SigAlg" not in params:
        raise Refused("invalid", "the message is not signed")
    certs = sp.metadata.certs(idp, "idpsso", "signing")
    try:
        verified = any(
            verify_redirect_signature(params, sp.sec.sec_backend, cert) for _name, cert in certs
        )
    except Exception as exc:
        raise Refused("invalid", type(exc).__name__) from None
    if not verified:
        raise Refused("invalid", "wrong signature")


def logout_response(opts: Options, query: dict[str, str], expected_id: str) -> None:
    """Check the identity provider's answer to our logout request (HTTP-Redirect)."""
    params = _redirect_params(query, "SAMLResponse")
    sp = client(opts)
    idp = idp_entity_id(sp)
    _verify_redirect(sp, idp, params)
    try:
        response = sp.parse_logout_request_response(params["SAMLResponse"], BINDING_HTTP_REDIRECT)
    except Exception as exc:
        raise Refused("invalid", type(exc).__name__) from None
    if response is None or response.issuer() != idp:
        raise Refused("invalid", "not from the identity provider")
    if not expected_id or response.in_response_to != expected_id:
        raise Refused("invalid", "not an answer to our logout request")


@dataclass(frozen=True)
class LogoutAsked:
    """A logout the identity provider asks for, and the address that answers it."""

    name_id: str
    answer_url: str


def logout_asked(opts: Options, query: dict[str, str]) -> LogoutAsked:
    """Check the identity provider's logout request (HTTP-Redirect) and make the signed answer."""
    params = _redirect_params(query, "SAMLRequest")
    sp = client(opts)
    idp = idp_entity_id(sp)
    _verify_redirect(sp, idp, params)
    try:
        request = sp.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
    except Exception as exc:
        raise Refused("invalid", type(exc).__name__) from None
    issuer = request.message.issuer if request is not None and request.message else None
    if issuer is None or (issuer.text or "").strip() != idp:
        raise Refused("invalid", "not from the identity provider")
    message = request.message
    response = sp.create_logout_response(
        message, [BINDING_HTTP_REDIRECT], sign=False, sign_alg=SIG_RSA_SHA256
    )
    destinations = sp.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    if not destinations:
        raise Refused("invalid", "the identity provider takes no logout response")
    destination = destinations[0].get("response_location") or destinations[0]["location"]
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state=params.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    name_id = message.name_id.text if message.name_id is not None else ""
    return LogoutAsked(name_id=name_id or "", answer_url=dict(info["headers"])["Location"])

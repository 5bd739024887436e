"""The person's own pages: a person signed in by strong identification sees their path in every
alliance and at every organizer (the customer records with their pseudonym), declines a
referral, gives and withdraws their consents, and gets their data (GDPR Art. 15) as a page and as
JSON. In the language of the address: /omat-palvelut/ in Finnish, /mina-tjanster/ in Swedish,
/my-services/ in English.

A person is not a staff user: who they are comes from the session
(:func:`allianssi.identification.session.person`), and every read is scoped to their pseudonym,
so one person never reaches another's data (another's referral or consent is not found). Every
page logs a read of each record it shows, as the customer's own (``AccessReason.SELF``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from allianssi.core.views import act_on_button
from allianssi.customers import selectors, services
from allianssi.customers.models import AccessReason, Customer
from allianssi.customers.views import json_download
from allianssi.identification.session import SignedInPerson, person
from allianssi.referrals.forms import DeclineForm
from allianssi.referrals.models import State
from allianssi.referrals.services import Move, referral_decline

#: The addresses of the person's pages, by language: (base, data, referrals, consents, and the
#: words for decline, withdraw and give).
PATHS = {
    "fi": ("omat-palvelut", "tiedot", "lahetteet", "suostumukset", "peru", "peruuta", "anna"),
    "sv": ("mina-tjanster", "uppgifter", "remisser", "samtycken", "avboj", "aterkalla", "ge"),
    "en": ("my-services", "data", "referrals", "consents", "decline", "withdraw", "give"),
}
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
#: Where a person signs in, until the identification app names its page.
SIGN_IN_FALLBACK = "/tunnistus/"
#: The states in which the person may still say no.
DECLINABLE = frozenset({State.SENT, State.ACCEPTED, State.STARTED})


def in_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the page in the language of its address, whatever the visitor chose before."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, language: str, **kwargs: Any) -> HttpResponse:
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, language=language, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return wrapped


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only for a person signed in by strong identification: others are sent to sign in, and
    brought back here afterwards."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        who = person(request)
        if who is None:
            return redirect(sign_in_url(request.get_full_path()))
        return view(request, who, *args, **kwargs)

    return wrapped


def sign_in_url(next_path: str) -> str:
    try:
        base = reverse("identification:start")
    except NoReverseMatch:
        base = SIGN_IN_FALLBACK
    return f"{base}?{urlencode({'next': next_path})}"


def _sign_out_url() -> str:
    try:
        return reverse("identification:logout")
    except NoReverseMatch:
        return ""


def _alternates(name: str) -> list[tuple[str, str, str]]:
    return [(code, LANGUAGE_NAMES[code], reverse(f"customers:{name}_{code}")) for code in PATHS]


def _read_all(customers: list[Customer]) -> None:
    for customer in customers:
        services.customer_read(actor=None, customer=customer, reason=AccessReason.SELF)


def _context(who: SignedInPerson, language: str, page: str) -> dict[str, Any]:
    return {
        "person": who,
        "language": language,
        "alternates": _alternates(page),
        "sign_out_url": _sign_out_url(),
        "catalogue_url": reverse(f"catalogue:public_list_{language}"),
    }


@in_language
@never_cache
@require_GET
@signed_in
def mine(request: HttpRequest, who: SignedInPerson, language: str) -> HttpResponse:
    """The person's path: every sent referral of every record with their pseudonym, with whom
    to contact and what comes next."""
    customers = selectors.person_customers(pseudonym=who.pseudonym)
    _read_all(customers)
    referrals = selectors.person_referrals(customers)
    return render(
        request,
        "customers/mine.html",
        {
            **_context(who, language, "mine"),
            "customers": customers,
            "referrals": referrals,
            "declinable": DECLINABLE,
            "decline_form": DeclineForm(),
        },
    )


@in_language
@never_cache
@require_GET
@signed_in
def mine_data(request: HttpRequest, who: SignedInPerson, language: str) -> HttpResponse:
    customers = selectors.person_customers(pseudonym=who.pseudonym)
    _read_all(customers)
    return render(
        request,
        "customers/mine_data.html",
        {
            **_context(who, language, "mine_data"),
            "records": [selectors.customer_data(c, full_identity=True) for c in customers],
        },
    )


@in_language
@never_cache
@require_GET
@signed_in
def mine_data_json(request: HttpRequest, who: SignedInPerson, language: str) -> HttpResponse:
    customers = selectors.person_customers(pseudonym=who.pseudonym)
    _read_all(customers)
    records = [selectors.customer_data(c, full_identity=True).as_json() for c in customers]
    return json_download({"records": records}, "my-data.json")


@in_language
@never_cache
@require_POST
@signed_in
def mine_decline(request: HttpRequest, who: SignedInPerson, pk: int, language: str) -> HttpResponse:
    referral = selectors.person_referral(pseudonym=who.pseudonym, pk=pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    act_on_button(
        request,
        lambda: referral_decline(
            referral=referral, move=Move(actor=None, via="person"), reason=reason
        ),
        done=_("You said no to the service. The sender has been told."),
    )
    return redirect(f"customers:mine_{language}")


@in_language
@never_cache
@require_POST
@signed_in
def mine_consent_withdraw(
    request: HttpRequest, who: SignedInPerson, pk: int, language: str
) -> HttpResponse:
    consent = selectors.person_consent(pseudonym=who.pseudonym, pk=pk)
    act_on_button(
        request,
        lambda: services.consent_withdraw(consent=consent, actor=None, via="self"),
        done=_("You withdrew your consent."),
    )
    return redirect(f"customers:mine_{language}")


@in_language
@never_cache
@require_POST
@signed_in
def mine_consent_give(
    request: HttpRequest, who: SignedInPerson, pk: int, language: str
) -> HttpResponse:
    """Give again a consent the person withdrew earlier, for the same purpose."""
    consent = selectors.person_consent(pseudonym=who.pseudonym, pk=pk)
    customer = consent.customer
    if consent.withdrawn_at is None or any(
        c.active and c.purpose == consent.purpose for c in customer.consents.all()
    ):
        messages.error(request, _("That consent is already in force."))
        return redirect(f"customers:mine_{language}")
    act_on_button(
        request,
        lambda: services.consent_give(
            customer=customer, purpose=consent.purpose, actor=None, via="self"
        ),
        done=_("You gave your consent."),
    )
    return redirect(f"customers:mine_{language}")

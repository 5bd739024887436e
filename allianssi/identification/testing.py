"""The development-only test identification: pick a fictional person, or type a test code.

Like the test identification of Suomi.fi's own test environment, it signs a person in without a
real identification, so it must never be reachable in production: its address exists only when
``settings.ALLIANSSI_TEST_IDENTIFICATION`` is on (development and the tests; ``production.py``
forces it off, and ``check --deploy`` refuses it), and the view refuses to run otherwise. It
accepts only the temporary codes of the 900 series, which no real person has, because production
does not accept them at all (``ALLIANSSI_ALLOW_TEST_HETU``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from stdnum.fi import hetu as stdnum_hetu

from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.identification import session
from allianssi.identification.views import safe_next


@dataclass(frozen=True)
class FictionalPerson:
    hetu: str  # a temporary code of the 900 series: valid, and nobody's
    name: str


#: The people the test page offers. Their codes pass python-stdnum's check with
#: ``allow_temporary=True`` (tests/identification/test_testing.py checks it).
TEST_PEOPLE: tuple[FictionalPerson, ...] = (
    FictionalPerson("010280-952L", "Maija Meikäläinen"),  # the demo's customer
    FictionalPerson("150371-934J", "Erkki Esimerkki"),
    FictionalPerson("240593-961H", "Sara Svensson"),
    FictionalPerson("071158-978W", "Veikko Vanhanen"),
    FictionalPerson("120604A9829", "Olli Opiskelija"),
)


class TestIdentificationForm(forms.Form):
    __test__ = False  # not a pytest test class

    hetu = forms.CharField(
        label=_("Personal identity code"),
        max_length=20,
        help_text=_("A test code of the 900 series, for example 010280-952L."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_hetu(self) -> str:
        """Only the 900 series, which is nobody's: no real person's code in a development
        database. (Whether the code is valid at all, ``session.start`` says.)"""
        hetu: str = self.cleaned_data["hetu"]
        individual = stdnum_hetu.compact(hetu)[7:10]
        if individual.isdigit() and int(individual) < 900:
            raise forms.ValidationError(
                _("Only test codes of the 900 series are accepted here."), code="not_test"
            )
        return hetu


def _enabled() -> None:
    if not settings.ALLIANSSI_TEST_IDENTIFICATION:
        raise Http404


@never_cache
@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest) -> HttpResponse:
    """GET lists the test people; POST signs one in (``method="test"``)."""
    _enabled()
    if request.method == "POST":
        form = TestIdentificationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session.start(
                    request,
                    hetu=data["hetu"],
                    name=data["name"] or str(_("Test person")),
                    method="test",
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect(safe_next(request, data["next"]))
        status = 400
    else:
        form = TestIdentificationForm(initial={"next": request.GET.get("next", "")})
        status = 200
    next_url = safe_next(request, form["next"].value())
    return render(
        request,
        "identification/test.html",
        {"form": form, "people": TEST_PEOPLE, "next": next_url},
        status=status,
    )

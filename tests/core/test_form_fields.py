"""``{% form_fields %}`` (core/templatetags/fields.py): an empty form whose HTML is the same for
everyone is written once a language and class, the same HTML as ``includes/form.html`` writes;
every other form is written afresh."""

from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from allianssi.core.templatetags import fields
from allianssi.customers.forms import ConsentForm, RevealForm


def _tag(form: forms.BaseForm) -> str:
    return Template("{% load fields %}{% form_fields form %}").render(Context({"form": form}))


def _include(form: forms.BaseForm) -> str:
    return render_to_string("includes/form.html", {"form": form})


def test_an_empty_form__the_same_html_as_the_include_in_every_language():
    fields._blank.cache_clear()
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            for form in (RevealForm(prefix="reveal"), ConsentForm(prefix="consent")):
                assert _tag(form) == _include(form)
    assert fields._blank.cache_info().currsize == 6


def test_written_once__then_taken_from_the_process():
    fields._blank.cache_clear()
    with translation.override("sv"):
        first = _tag(RevealForm(prefix="reveal"))
        assert _tag(RevealForm(prefix="reveal")) == first
    assert fields._blank.cache_info().hits == 1
    with translation.override("fi"):
        assert _tag(RevealForm(prefix="reveal")) != first  # the Finnish words


def test_a_bound_form__written_afresh_with_its_errors():
    fields._blank.cache_clear()
    with translation.override("en"):
        form = RevealForm({"reveal-why": ""}, prefix="reveal")
        html = _tag(form)
        assert html == _include(form)
    assert "field-error" in html
    assert fields._blank.cache_info().currsize == 0


def test_a_form_not_marked_or_given_initial_values__written_afresh():
    class Plain(forms.Form):
        name = forms.CharField()

    fields._blank.cache_clear()
    _tag(Plain())
    _tag(RevealForm(prefix="reveal", initial={"why": "Tarkistus"}))
    assert "Tarkistus" in _tag(RevealForm(prefix="reveal", initial={"why": "Tarkistus"}))
    assert fields._blank.cache_info().currsize == 0

"""The one shared step of a view that changes something: ``core.views.act``."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from allianssi.core.errors import DomainError, forbidden
from allianssi.core.views import act, act_on_button


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def _request() -> Any:
    request = RequestFactory().post("/", {"name": "x"})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # the middleware sets it
    return request


def test_a_valid_form_calls_the_change_with_its_data_and_queues_the_message() -> None:
    request = _request()
    seen: list[dict[str, Any]] = []
    form = NameForm({"name": "Tampere"})
    assert act(request, form, seen.append, done="Done.")
    assert seen == [{"name": "Tampere"}]
    assert [str(m) for m in get_messages(request)] == ["Done."]


def test_the_message_may_depend_on_what_the_change_made() -> None:
    request = _request()
    form = NameForm({"name": "Tampere"})
    assert act(request, form, lambda data: data["name"].upper(), done=lambda made: f"{made}.")
    assert [str(m) for m in get_messages(request)] == ["TAMPERE."]


def test_an_invalid_form_never_reaches_the_service() -> None:
    request = _request()
    seen: list[dict[str, Any]] = []
    form = NameForm({"name": "x" * 11})
    assert not act(request, form, seen.append, done="Done.")
    assert seen == []
    assert "name" in form.errors
    assert list(get_messages(request)) == []


def test_a_refusal_is_shown_at_its_field_or_above_the_form() -> None:
    def refuse_field(data: dict[str, Any]) -> None:
        raise DomainError("taken", "That name is taken.", field="name")

    def refuse_form(data: dict[str, Any]) -> None:
        raise DomainError("closed", "The alliance has ended.", field="nowhere")

    request = _request()
    form = NameForm({"name": "Tampere"})
    assert not act(request, form, refuse_field, done="Done.")
    assert form.errors["name"] == ["That name is taken."]
    other = NameForm({"name": "Tampere"})
    assert not act(request, other, refuse_form, done="Done.")
    assert other.non_field_errors() == ["The alliance has ended."]
    assert list(get_messages(request)) == []


def test_a_refused_permission_is_a_403() -> None:
    def refuse(data: dict[str, Any]) -> None:
        raise forbidden()

    with pytest.raises(PermissionDenied):
        act(_request(), NameForm({"name": "Tampere"}), refuse, done="Done.")


def test_a_button_action_queues_its_message_or_its_refusal() -> None:
    request = _request()
    seen: list[str] = []
    act_on_button(request, lambda: seen.append("made"), done="Done.")
    assert seen == ["made"]

    def refuse() -> None:
        raise DomainError("closed", "The alliance has ended.")

    act_on_button(request, refuse, done="Done.")
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [
        ("success", "Done."),
        ("error", "The alliance has ended."),
    ]


def test_a_button_action_refused_permission_is_a_403() -> None:
    def refuse() -> None:
        raise forbidden()

    with pytest.raises(PermissionDenied):
        act_on_button(_request(), refuse, done="Done.")

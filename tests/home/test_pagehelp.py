"""Every signed-in page has its short help, shown by base.html; the glossary is public, in the
reader's language, and every term a help links to is in it."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.home import glossary, pagehelp
from tests.conftest import World


def _names(
    resolver: URLResolver | None = None, namespace: str = ""
) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += _names(pattern, (inner or namespace).strip(":"))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append((name, pattern))
    return found


def test_every_named_url_has_help_or_a_reason_not_to() -> None:
    """A new page without help fails here: add it to ``HELP`` in allianssi/home/pagehelp.py (or,
    if it is not a page, to ``NOT_PAGES``)."""
    names = {name for name, _callback in _names()}
    exempt = set().union(*pagehelp.NOT_PAGES.values())
    forgotten = sorted(
        name
        for name in names
        if name not in pagehelp.HELP
        and name not in exempt
        and not pagehelp.is_public(name)
        and not pagehelp.is_api(name)
    )
    assert forgotten == [], f"pages without help: {forgotten}"
    assert sorted(set(pagehelp.HELP) - names) == []  # no help for an address that is gone
    assert sorted(exempt - names) == []
    assert sorted(set(pagehelp.HELP) & exempt) == []


@pytest.mark.django_db
def test_the_urls_called_actions_refuse_a_get() -> None:
    """An "action" without help must really be POST only: a page shown by GET needs help."""
    patterns = dict(_names())
    user = User(username="x", is_active=True)
    for name in pagehelp.NOT_PAGES["action"]:
        pattern = patterns[name]
        assert isinstance(pattern, URLPattern)
        request = RequestFactory().get("/")
        request.user = user
        kwargs = dict.fromkeys(pattern.pattern.converters, 1)  # type: ignore[attr-defined]
        response = pattern.callback(request, **kwargs)
        assert response.status_code == 405, name


def test_each_help_is_written_in_every_language_and_links_a_real_term() -> None:
    for name, help in pagehelp.HELP.items():
        assert not help.term or help.term in glossary.TERMS, name
        texts = set()
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                text = str(help.text)
                assert text.strip(), name
                texts.add(text)


def _client(user: User | None, language: str = "en") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_help_renders_on_the_page_with_its_glossary_link(world: World) -> None:
    body = html.unescape(
        _client(world.users["manager"])
        .get(reverse("openbook:books", args=[world.alliance.pk]))
        .content.decode()
    )
    assert "<summary>Help for this page</summary>" in body
    with translation.override("en"):
        assert str(pagehelp.HELP["openbook:books"].text) in body
    assert f'href="{reverse("home:glossary")}#open-books"' in body


@pytest.mark.django_db
def test_help_renders_in_the_readers_language(world: World) -> None:
    page = reverse("alliances:audit", args=[world.alliance.pk])
    for language in ("fi", "sv"):
        body = html.unescape(_client(world.users["manager"], language).get(page).content.decode())
        with translation.override(language):
            assert str(pagehelp.HELP["alliances:audit"].text) in body


@pytest.mark.django_db
def test_a_page_without_help_shows_only_the_glossary_link(db: None) -> None:
    body = _client(None).get(reverse("accounts:login")).content.decode()
    assert "Help for this page" not in body
    assert f'href="{reverse("home:glossary")}"' in body


@pytest.mark.django_db
def test_glossary__public_every_term_with_its_anchor_in_each_language(db: None) -> None:
    for language in ("fi", "sv", "en"):
        response = _client(None, language).get(reverse("home:glossary"))
        assert response.status_code == 200
        body = html.unescape(response.content.decode())
        for term in glossary.TERMS.values():
            assert f'id="{term.slug}"' in body
            with translation.override(language):
                assert str(term.definition) in body
    body = html.unescape(_client(None, "en").get(reverse("home:glossary")).content.decode())
    assert "Growth-services alliance" in body

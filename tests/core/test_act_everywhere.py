"""Every view that accepts a POST carries its action out through ``core.views.act`` (or
``act_on_button``), ADR 0023: the same validate–call–show-the-refusal–redirect steps, and a
refused permission a 403. The few that cannot are listed below with the reason (and in ADR
0023's consequences); a new POST view that does it by hand fails here until it uses ``act`` or
is added to the list with its reason.

The views are found from the URL configuration; a view (and the helpers of its own module that
it calls, to any depth) is read as Python source: it accepts a POST when it is ``require_POST``,
``require_http_methods`` with POST, or has no method decorator and reads ``request.POST``,
``request.FILES``, ``posted(request)`` or compares the method with "POST"."""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLResolver, get_resolver

ACT = {"act", "act_on_button"}

# module.view: why it does not go through act.
NOT_THROUGH_ACT = {
    "allianssi.api.views.cost_batches": (
        "the API answers JSON: a refusal is a problem document with its status, not a form's "
        "error or a page's message"
    ),
    "allianssi.api.views.kpi_results": (
        "the API answers JSON: a refusal is a problem document with its status, not a form's "
        "error or a page's message"
    ),
    "allianssi.api.views.tokens": (
        "the token made is shown once, on the response to the POST itself: it must not travel "
        "in a redirect's message"
    ),
    "allianssi.catalogue.views.public_request": (
        "the public front door for anonymous visitors: a robot's posting is answered as if it "
        "went through, and the thanks page, not a message, confirms a request"
    ),
    "allianssi.customers.views.identity_reveal": (
        "the henkilötunnus is shown on the response to the POST itself, never in a redirect "
        "or a message"
    ),
    "allianssi.customers.import_views.customers_import": (
        "a file upload queued for the worker: the job's page shows its progress"
    ),
    "allianssi.identification.views.acs": (
        "a sign-in flow: Suomi.fi's SAML response, checked against the pending request"
    ),
    "allianssi.identification.views.login": (
        "a sign-in flow: a redirect to Suomi.fi with a signed request"
    ),
    "allianssi.identification.views.logout": (
        "a sign-out flow: the session ends here and, by a form posted to Suomi.fi, there too"
    ),
    "allianssi.notifications.views.notifications_read": (
        "marks one's own notifications read: nothing to refuse and no message; the list shows it"
    ),
    "allianssi.openbook.views.books_import": (
        "a file upload queued for the worker: the job's page shows its progress"
    ),
    "allianssi.outcomes.views.events_import": (
        "a file upload checked in the request: the result or every rejected row is the page "
        "itself, not a message"
    ),
    "allianssi.outcomes.views.extracts": (
        "a file upload of earnings (deleted whatever happens): the counts imported, or every "
        "rejected row, are the page itself, not a message"
    ),
}


@dataclass(frozen=True)
class PostView:
    name: str  # module.function
    url_names: tuple[str, ...]
    uses_act: bool


def _patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner)
        else:
            yield f"{namespace}{pattern.name or '?'}", pattern.callback


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _called(node: ast.AST) -> set[str]:
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            if isinstance(inner.func, ast.Name):
                names.add(inner.func.id)
            elif isinstance(inner.func, ast.Attribute):
                names.add(inner.func.attr)
    return names


def _reads_post(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in {"POST", "FILES"}:
            return True
        if isinstance(inner, ast.Constant) and inner.value == "POST":
            return True
        if isinstance(inner, ast.Name) and inner.id == "posted":
            return True
    return False


def _reach(functions: dict[str, ast.FunctionDef], name: str) -> list[ast.FunctionDef]:
    """The function and the module's own functions it calls, to any depth."""
    seen: dict[str, ast.FunctionDef] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in functions:
            continue
        seen[current] = functions[current]
        todo.extend(_called(functions[current]))
    return list(seen.values())


def classify(functions: dict[str, ast.FunctionDef], name: str) -> tuple[bool, bool]:
    """(accepts a POST, goes through act) for the view ``name`` of a module's functions."""
    view = functions[name]
    decorators = [ast.unparse(d) for d in view.decorator_list]
    methods = [d for d in decorators if d.startswith("require_")]
    if any(d in {"require_GET", "require_safe"} for d in methods) or any(
        d.startswith("require_http_methods") and "POST" not in d for d in methods
    ):
        return False, False
    reached = _reach(functions, name)
    accepts = any(
        d == "require_POST" or (d.startswith("require_http_methods") and "POST" in d)
        for d in methods
    ) or any(_reads_post(f) for f in reached)
    return accepts, any(ACT & _called(f) for f in reached)


def post_views() -> dict[str, PostView]:
    """Every view of ``allianssi/*/views.py`` and ``*_views.py`` that accepts a POST."""
    modules: dict[str, dict[str, ast.FunctionDef]] = {}
    found: dict[str, tuple[list[str], bool]] = {}
    for url_name, callback in _patterns(get_resolver().url_patterns):
        function = inspect.unwrap(callback)
        module = getattr(function, "__module__", "")
        if not module.startswith("allianssi.") or not module.endswith(("views", "_views")):
            continue
        if module not in modules:
            modules[module] = _functions(inspect.getsource(sys.modules[module]))
        if function.__name__ not in modules[module]:
            continue
        accepts, uses_act = classify(modules[module], function.__name__)
        if accepts:
            urls, _ = found.setdefault(f"{module}.{function.__name__}", ([], uses_act))
            urls.append(url_name)
    return {
        name: PostView(name, tuple(sorted(urls)), uses_act)
        for name, (urls, uses_act) in found.items()
    }


def test_every_post_view_acts_through_act_or_is_listed_with_its_reason():
    views = post_views()
    by_hand = {name for name, view in views.items() if not view.uses_act}
    unlisted = sorted(by_hand - NOT_THROUGH_ACT.keys())
    assert not unlisted, (
        "These views accept a POST and carry the action out by hand: use core.views.act (or "
        f"act_on_button), or list them in NOT_THROUGH_ACT with the reason: {unlisted}"
    )
    stale = sorted(NOT_THROUGH_ACT.keys() - by_hand)
    assert not stale, f"Listed, but gone or now through act (take them off the list): {stale}"


def test_the_scan_sees_the_views_it_is_about():
    views = post_views()
    # Actions through act and act_on_button, a page with its own form, and the listed ones.
    assert views["allianssi.governance.views.proposal_vote"].uses_act
    assert views["allianssi.compliance.views.assignment_end"].uses_act
    assert views["allianssi.catalogue.views.service_new"].uses_act
    assert "referrals:accept" in views["allianssi.referrals.views.accept"].url_names
    assert not views["allianssi.customers.views.identity_reveal"].uses_act
    assert len([v for v in views.values() if v.uses_act]) > 80
    # A GET-only page that reads request.POST in a shared helper is not a POST view.
    assert "allianssi.settlement.views.kpis" not in views


def test_the_scan_tells_a_hand_made_action_from_one_through_act():
    source = """
@require_POST
def by_hand(request):
    form = Form(request.POST)
    if form.is_valid():
        try:
            service(**form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
    return redirect("x")

@require_http_methods(["GET", "POST"])
def through_helper(request):
    return _helper(request)

def _helper(request):
    form = Form(posted(request))
    if request.method == "POST" and act(request, form, service, done="Done"):
        return redirect("x")
    return render(request, "x.html", {"form": form})

@require_GET
def page(request):
    return render(request, "x.html", {"form": Form(request.POST or None)})

def undecorated(request):
    if request.method == "POST":
        service()
    return redirect("x")
"""
    functions = _functions(source)
    assert classify(functions, "by_hand") == (True, False)
    assert classify(functions, "through_helper") == (True, True)
    assert classify(functions, "page") == (False, False)
    assert classify(functions, "undecorated") == (True, False)

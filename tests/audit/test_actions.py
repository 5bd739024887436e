"""The registry of audit actions: each has its sentences, and the code passes the constants."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation

from allianssi.audit import actions
from allianssi.audit.actions import Action, UnregisteredAction
from allianssi.audit.models import AuditRecord
from allianssi.audit.services import audit_append
from tests.conftest import World

SOURCE = Path(__file__).resolve().parents[2] / "allianssi"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
LANGUAGES = ("fi", "sv", "en")
REGISTERED = sorted(actions.REGISTRY.values(), key=lambda a: a.name)


def _placeholders(text: object) -> set[str]:
    return set(PLACEHOLDER.findall(str(text)))


def test_registry__every_constant_is_registered_under_its_own_name():
    constants = {v.name: v for v in vars(actions).values() if isinstance(v, Action)}
    assert constants == actions.REGISTRY
    for name in actions.REGISTRY:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", name), name
        assert len(name) <= AuditRecord._meta.get_field("action").max_length


def test_register__a_name_registered_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        actions.register("proposal.create", "%(actor)s did it")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action", REGISTERED, ids=lambda a: a.name)
def test_action__renders_with_its_parameters_and_without_them(action: Action, language: str):
    with translation.override(language):
        plain = str(action.plain)
        assert _placeholders(plain) <= {"actor"}, "the plain sentence names only the actor"
        bare = action.render({"actor": "Aino Auditoija"})
        assert bare == plain % {"actor": "Aino Auditoija"}
        assert bare.strip()
        assert "%(" not in bare
        if "%(actor)s" in str(actions.REGISTRY[action.name].plain):
            assert "Aino Auditoija" in bare
        if action.sentence is None:
            return
        with translation.override("en"):
            wanted = _placeholders(action.sentence)
        # A translation names the same parameters as the English sentence.
        assert _placeholders(action.sentence) == wanted
        params = {name: f"<{name}>" for name in wanted} | {"actor": "Aino Auditoija"}
        full = action.render(params)
        assert "%(" not in full
        for name in wanted - {"actor"}:
            assert f"<{name}>" in full
        # A record written before one of the parameters was kept reads as the plain sentence.
        for missing in wanted - {"actor"}:
            partial = {k: v for k, v in params.items() if k != missing}
            assert action.render(partial) == plain % {"actor": "Aino Auditoija"}


def test_action__english_sentences_say_what_happened():
    with translation.override("en"):
        assert (
            actions.PROPOSAL_CREATE.render({"actor": "Aino", "number": 3, "title": "Budget"})
            == "Aino created the proposal 3 “Budget”"
        )
        assert actions.PROPOSAL_CREATE.render({"actor": "Aino"}) == "Aino created a proposal"


def test_audit_append__refuses_an_unregistered_action(world: World):
    before = AuditRecord.objects.count()
    refused = pytest.raises(UnregisteredAction, match=r"'proposal\.invent' is not registered")
    with refused, transaction.atomic():
        audit_append(
            actor=world.users["manager"],
            alliance=world.alliance,
            action="proposal.invent",
            obj=world.alliance,
        )
    forged = Action("alliance.forged", "%(actor)s forged")
    with pytest.raises(UnregisteredAction), transaction.atomic():
        audit_append(actor=None, alliance=world.alliance, action=forged, obj=world.alliance)
    assert AuditRecord.objects.count() == before


def test_audit_append__stores_the_registered_name(world: World):
    with transaction.atomic():
        record = audit_append(
            actor=world.users["manager"],
            alliance=world.alliance,
            action=actions.ALLIANCE_UPDATE,
            obj=world.alliance,
            after={"name": world.alliance.name},
        )
    assert AuditRecord.objects.get(pk=record.pk).action == "alliance.update"


# The source uses the constants ------------------------------------------------------------------


def _python_files() -> list[Path]:
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and path != SOURCE / "audit" / "actions.py"
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def action_strings_in_source() -> list[tuple[str, str]]:
    """Where the source names an audit action by a string instead of a constant: the action of
    ``audit_append``, an ``action=`` argument of any helper that passes it on, and any string
    equal to a registered action's name. Each as (``file:line``, the string or expression)."""
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        where = path.relative_to(SOURCE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) != "add_argument":
                candidates = [k.value for k in node.keywords if k.arg == "action"]
                if _callee(node) == "audit_append" and len(node.args) >= 3:
                    candidates.append(node.args[2])
                for value in candidates:
                    if _is_text(value):
                        found.append((f"{where}:{value.lineno}", ast.unparse(value)))
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and actions.is_registered(node.value)
            ):
                found.append((f"{where}:{node.lineno}", repr(node.value)))
    return sorted(set(found))


def test_source__names_every_audit_action_by_its_constant():
    strings = action_strings_in_source()
    unregistered = [
        (where, text) for where, text in strings if not actions.is_registered(text.strip("'\""))
    ]
    assert not unregistered, (
        "unregistered audit actions in the source (register them in "
        f"allianssi/audit/actions.py and pass the constant): {unregistered}"
    )
    assert not strings, f"pass the constants of allianssi.audit.actions, not strings: {strings}"


def test_source_scan__finds_action_strings(tmp_path, monkeypatch):
    """The scan itself finds each way an action string is written."""
    app = tmp_path / "allianssi" / "newapp"
    app.mkdir(parents=True)
    (app / "services.py").write_text(
        "def f(x, state):\n"
        '    audit_append(actor=None, alliance=None, action="notification.send", obj=x)\n'
        '    audit_append(actor=None, alliance=None, action=f"referral.{state}", obj=x)\n'
        '    _helper(x, action="proposal.create")\n'
        '    _set(x, "proposal.open")\n'
        "    audit_append(actor=None, alliance=None, action=actions.PROPOSAL_CLOSE, obj=x)\n"
        '    parser.add_argument("--watch", action="store_true")\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SOURCE"]), "SOURCE", tmp_path / "allianssi")
    assert [text for _where, text in action_strings_in_source()] == [
        "'notification.send'",
        "f'referral.{state}'",
        "'proposal.create'",
        "'proposal.open'",
    ]

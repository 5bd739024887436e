"""Alliance pages. Thin: parse the input, ask permissions, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.accounts.models import User
from allianssi.alliances import kept, selectors, services, validators
from allianssi.alliances.forms import (
    AllianceEditForm,
    AllianceForm,
    ExitForm,
    MemberAddForm,
    PhaseForm,
    RemoveForm,
    RoleGrantForm,
)
from allianssi.alliances.models import TRANSITIONS, Alliance, MemberRole, Membership, Phase
from allianssi.audit import anchoring
from allianssi.audit.reading import AREAS, audit_entries
from allianssi.audit.reading import PAGE_SIZE as AUDIT_PAGE_SIZE
from allianssi.audit.selectors import TrailPaginator
from allianssi.audit.services import chain_key
from allianssi.core import hooks
from allianssi.core.errors import DomainError
from allianssi.core.views import act, act_on_button, page_number
from allianssi.parties import services as party_services
from allianssi.parties.forms import PartyForm
from allianssi.parties.services import party_resolve


def _alliance(request: HttpRequest, pk: int) -> Alliance:
    return selectors.alliance_get(user=request.user, pk=pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def alliance_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "alliances/list.html",
        {
            "alliances": selectors.alliance_list(user=request.user),
            "can_create": permissions.can_create_alliance(request.user),
            "can_create_party": permissions.can_create_party(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alliance_create(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_create_alliance(request.user))
    form = AllianceForm(request.POST or None)
    made: list[Alliance] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda data: made.append(
            services.alliance_create(
                actor=acting_user(request), region=data["region"], **form.terms()
            )
        ),
        done=_("The alliance was created in the strategy phase."),
    ):
        return redirect("alliances:detail", pk=made[0].pk)
    return render(request, "alliances/form.html", {"form": form, "alliance": None})


@login_required
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)

    def make() -> str:
        overview = selectors.alliance_overview(user=request.user, alliance=alliance)
        can_manage = permissions.can_manage_alliance(request.user, alliance)
        memberships = overview.organizers + overview.producers + overview.own_production
        exitable = {
            m.pk
            for m in memberships
            if permissions.can_record_exit(request.user, m)
            and validators.exit_right_refusal(alliance=alliance, membership=m, active=memberships)
            is None
        }
        return render_to_string(
            "alliances/detail_part.html",
            {
                "alliance": alliance,
                "overview": overview,
                "can_manage": can_manage and permissions.alliance_is_live(alliance),
                "exitable": exitable,
                "removable": can_manage and alliance.phase in validators.REMOVAL_PHASES,
                "service_areas": [a.get_area_display() for a in alliance.service_areas.all()],
                "goals": alliance.goals.all(),
            },
            request,
        )

    # Made from the alliance's records alone: kept until anything in the alliance changes.
    return kept.page(request, "alliances/detail.html", alliance, "alliance", make)


@login_required
@require_http_methods(["GET", "POST"])
def alliance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    _require(permissions.can_manage_alliance(request.user, alliance))
    initial = {
        "name": alliance.name,
        "description": alliance.description,
        "term_start": alliance.term_start,
        "term_end": alliance.term_end,
        "service_areas": list(alliance.service_areas.values_list("area", flat=True)),
        "goals": "\n".join(alliance.goals.values_list("text", flat=True)),
        "language": alliance.language,
        "producers_may_exit_in_implementation": alliance.producers_may_exit_in_implementation,
        "own_units_have_seats": alliance.own_units_have_seats,
        "abstention_blocks": alliance.abstention_blocks,
        "escalation_path": alliance.escalation_path,
    }
    form = AllianceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: services.alliance_update(
            actor=acting_user(request), alliance=alliance, **form.terms()
        ),
        done=_("The alliance was updated."),
    ):
        return redirect("alliances:detail", pk=alliance.pk)
    return render(request, "alliances/form.html", {"form": form, "alliance": alliance})


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    _require(permissions.can_manage_alliance(request.user, alliance))
    form = MemberAddForm(
        request.POST or None, party_choices=selectors.member_party_choices(alliance=alliance)
    )

    def change(data: dict[str, Any]) -> Membership:
        organisation = party_resolve(actor=acting_user(request), choice=data["party"])
        return services.membership_add(
            actor=acting_user(request),
            alliance=alliance,
            organisation=organisation,
            role=data["role"],
            joined_on=data["joined_on"],
        )

    if request.method == "POST" and act(
        request,
        form,
        change,
        done=lambda membership: (
            _("%(party)s joined the alliance as %(role)s.")
            % {"party": membership.organisation.name, "role": membership.get_role_display()}
        ),
    ):
        return redirect("alliances:detail", pk=alliance.pk)
    return render(request, "alliances/member_add.html", {"form": form, "alliance": alliance})


@login_required
@require_http_methods(["GET", "POST"])
def member_exit(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    membership = selectors.membership_get(user=request.user, alliance=alliance, pk=membership_pk)
    _require(permissions.can_record_exit(request.user, membership))
    form = ExitForm(request.POST or None)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.membership_exit(
            actor=acting_user(request),
            membership=membership,
            effective_on=data["effective_on"],
            reason=data["reason"],
        ),
        done=_("The exit of %(party)s was recorded.") % {"party": membership.organisation},
    ):
        return redirect("alliances:detail", pk=alliance.pk)
    return render(
        request,
        "alliances/member_end.html",
        {
            "form": form,
            "alliance": alliance,
            "membership": membership,
            "kind": "exit",
            "is_organizer": membership.role == MemberRole.ORGANIZER,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    membership = selectors.membership_get(user=request.user, alliance=alliance, pk=membership_pk)
    _require(permissions.can_manage_alliance(request.user, alliance))
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.membership_remove(
            actor=acting_user(request), membership=membership, reason=data["reason"]
        ),
        done=_("%(party)s was removed.") % {"party": membership.organisation},
    ):
        return redirect("alliances:detail", pk=alliance.pk)
    return render(
        request,
        "alliances/member_end.html",
        {
            "form": form,
            "alliance": alliance,
            "membership": membership,
            "kind": "remove",
            "is_organizer": membership.role == MemberRole.ORGANIZER,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alliance_phase(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    _require(permissions.can_manage_alliance(request.user, alliance))
    allowed = [(p.value, str(p.label)) for p in Phase if p in TRANSITIONS[alliance.phase]]
    form = PhaseForm(request.POST or None, phases=allowed)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.alliance_enter_phase(
            actor=acting_user(request),
            alliance=alliance,
            to_phase=data["to_phase"],
            effective_on=data["effective_on"],
            note=data["note"],
        ),
        done=lambda change: (
            _("The alliance moved to the phase “%(phase)s”.")
            % {"phase": change.get_to_phase_display()}
        ),
    ):
        return redirect("alliances:detail", pk=alliance.pk)
    return render(
        request, "alliances/phase.html", {"form": form, "alliance": alliance, "allowed": allowed}
    )


@login_required
def alliance_audit(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    _require(permissions.can_view_audit(request.user, alliance))
    area = request.GET.get("area", "")
    if area not in AREAS:
        area = ""
    asked = page_number(request)
    page = TrailPaginator(
        alliance_id=alliance.pk,
        branches=hooks.audit_branches(request.user, alliance),
        area=area,
        per_page=AUDIT_PAGE_SIZE,
        asked=asked,
    ).get_page(asked)
    return render(
        request,
        "alliances/audit.html",
        {
            "alliance": alliance,
            "page": page,
            "entries": audit_entries(
                page.object_list, linkable=hooks.audit_linkable(request.user, alliance)
            ),
            "areas": AREAS.items(),
            "area": area,
            "params": urlencode({"area": area}) if area else "",
        },
    )


@login_required
def audit_checkpoint(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed checkpoint file of the alliance's chain head, for anyone who may read the trail."""
    alliance = _alliance(request, pk)
    _require(permissions.can_view_audit(request.user, alliance))
    try:
        taken, text = anchoring.checkpoint_take(chain=chain_key(alliance), whole_chain=False)
    except anchoring.SigningKeyMissing:
        messages.error(
            request,
            _(
                "This service has no key for signing checkpoints yet; ask its administrator to "
                "make one."
            ),
        )
        return redirect("alliances:audit", pk=alliance.pk)
    except anchoring.ChainNotCheckpointed:
        messages.error(
            request,
            _(
                "The audit trail does not verify, so no checkpoint is signed. Tell the service's "
                "administrator at once."
            ),
        )
        return redirect("alliances:audit", pk=alliance.pk)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    name = f"audit-checkpoint-alliance-{alliance.pk}-{taken.seq}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def alliance_roles(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    can_manage = permissions.can_manage_roles(request.user, alliance)
    form = RoleGrantForm(
        request.POST or None,
        user_choices=selectors.role_user_choices(alliance=alliance) if can_manage else [],
    )

    def grant(data: dict[str, Any]) -> object:
        user = User.objects.filter(pk=data["user"]).first()
        if user is None:
            raise DomainError("user_unknown", _("Choose a user."), field="user")
        return services.alliance_role_grant(
            actor=acting_user(request), alliance=alliance, user=user, role=data["role"]
        )

    if request.method == "POST":
        _require(can_manage)
        if act(request, form, grant, done=_("The role was granted.")):
            return redirect("alliances:roles", pk=alliance.pk)
    return render(
        request,
        "alliances/roles.html",
        {
            "alliance": alliance,
            "roles": selectors.alliance_roles(user=request.user, alliance=alliance),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def alliance_role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    alliance = _alliance(request, pk)
    granted = selectors.role_get(user=request.user, alliance=alliance, pk=role_pk)
    _require(permissions.can_manage_roles(request.user, alliance))
    act_on_button(
        request,
        lambda: services.alliance_role_revoke(actor=acting_user(request), granted=granted),
        done=_("The role was revoked."),
    )
    return redirect("alliances:roles", pk=alliance.pk)


# Parties ----------------------------------------------------------------------------------------
# Registering a party is a page of the alliances' people: who may do it follows from their roles
# in alliances (``permissions.can_create_party``), a layer above the parties app.


@login_required
@require_http_methods(["GET", "POST"])
def party_create(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_create_party(request.user))
    form = PartyForm(request.POST or None)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: party_services.party_register(
            actor=acting_user(request),
            kind=data["kind"],
            name=data["name"],
            business_id=data["business_id"],
            host_code=data["host"].code if data["host"] is not None else None,
            member_codes=[m.code for m in data["members"]],
            parent=data["parent"],
        ),
        done=lambda organisation: _("%(party)s was registered.") % {"party": organisation},
    ):
        return redirect("alliances:list")
    return render(request, "parties/form.html", {"form": form})

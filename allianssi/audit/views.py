"""Downloads that let each party keep an anchor of its alliance's audit chain (docs/audit.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from allianssi import permissions
from allianssi.alliances.selectors import alliance_get
from allianssi.audit import anchoring, checkpoint
from allianssi.audit.services import chain_key


@login_required
def checkpoint_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed checkpoint file of the alliance's chain head, for anyone who may read the trail."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_view_audit(request.user, alliance):
        raise PermissionDenied
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
def public_key_download(request: HttpRequest) -> HttpResponse:
    """The public key that checkpoints are signed with (PEM), for verifying them anywhere."""
    try:
        public = anchoring.signing_key().public_key()
    except checkpoint.CheckpointError:
        return HttpResponse(
            _("This service has no key for signing checkpoints yet."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        checkpoint.public_key_pem(public), content_type="application/x-pem-file"
    )
    name = f"audit-checkpoint-key-{checkpoint.key_id(public)[:16]}.pem"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Downloads that let each party keep an anchor of its alliance's audit chain (docs/audit.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from allianssi.audit import anchoring, checkpoint


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

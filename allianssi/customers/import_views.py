"""The customer import's pages (docs/customer-import.md): upload a file to check (a dry run) or
import, its progress and outcome (every rejected line), and the template.

Thin: parse, ask permissions, call ``customers.jobs``, render. Who may import: an organizer's
customer advisors, their own organizer's customers (``permissions.can_import_customers``, as the
command asks of its user); an import's page is its organizer's advisors'. Nothing here is cached.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.selectors import alliance_get
from allianssi.core import sheets
from allianssi.core.errors import DomainError
from allianssi.core.formatting import number, percent
from allianssi.core.views import add_domain_error, refuse_forbidden, require
from allianssi.customers import importing, jobs
from allianssi.customers.forms import ImportForm
from allianssi.customers.models import CustomerImportJob

#: Your own imports listed on the import page.
RECENT = 10


def _guide() -> list[dict[str, object]]:
    return sheets.format_guide(
        {path: (path,) for path in importing.FIELD_HELP},
        importing.FIELD_REQUIRED,
        importing.FIELD_HELP,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def customers_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file: it is queued, checked (and, unless only checked, imported) by the worker;
    its page shows the progress and then the outcome."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_import_customers(request.user, alliance))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.job_create(
                actor=acting_user(request),
                alliance=alliance,
                upload=upload,
                name=upload.name,
                dry_run=request.POST.get("mode") != "import",
            )
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
        else:
            return redirect("customers:import_job", pk=alliance.pk, job=job.pk)
    recent = CustomerImportJob.objects.filter(alliance=alliance, created_by_id=request.user.pk)
    return render(
        request,
        "customers/import.html",
        {
            "alliance": alliance,
            "form": form,
            "recent": recent[:RECENT],
            "guide": _guide(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_GET
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's template in the format it reads, JSON Lines: a person with two referrals to
    one of the alliance's published services (when it delivers services) and a company."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_import_customers(request.user, alliance))
    lines = importing.template_lines(alliance=alliance)
    content = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    response = HttpResponse(content.encode(), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers-template.jsonl"'
    return response


def _job(request: HttpRequest, pk: int, job_pk: int) -> CustomerImportJob:
    """The import, if the user may see it; otherwise not found, so that it is not revealed."""
    alliance = alliance_get(user=request.user, pk=pk)
    job = CustomerImportJob.objects.filter(alliance=alliance, pk=job_pk).first()
    if job is None or not permissions.can_view_customer_import(
        request.user, alliance, organizer_id=job.organizer_id
    ):
        raise Http404
    return job


@login_required
@never_cache
@require_GET
def import_job(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """An import's progress while it runs (the page updates itself with a script, or on
    reload), then its outcome: what was checked or imported, or every rejected line."""
    found = _job(request, pk, job)
    lines, share = jobs.progress_of(found)
    return render(
        request,
        "customers/import_job.html",
        {
            "alliance": found.alliance,
            "job": found,
            "lines": lines,
            "share": share,
            "counts": found.counts,
            "errors": [
                {"line": line, "field": field, "text": text} for line, field, text in found.errors
            ],
        },
    )


@login_required
@never_cache
@require_GET
def import_job_status(request: HttpRequest, pk: int, job: int) -> JsonResponse:
    """What the job page's script polls: the status and how far the file has been read."""
    found = _job(request, pk, job)
    lines, share = jobs.progress_of(found)
    return JsonResponse(
        {
            "status": found.status,
            "finished": found.finished,
            "read": share,
            "expected": 100,
            "text": _("%(lines)s lines read, %(share)s of the file")
            % {"lines": number(lines), "share": percent(share, 0)},
        }
    )

from django.urls import path, re_path

from allianssi.api import catalogue, outcomes, referrals, views

app_name = "api"
urlpatterns = [
    path("api/v1/openapi.json", views.openapi_document, name="openapi"),
    path("api/v1/alliances/", views.alliances, name="alliances"),
    path("api/v1/alliances/<int:pk>/totals/", views.totals, name="totals"),
    path("api/v1/alliances/<int:pk>/cost-batches/", views.cost_batches, name="cost_batches"),
    path("api/v1/alliances/<int:pk>/kpi-results/", views.kpi_results, name="kpi_results"),
    path("api/v1/alliances/<int:pk>/settlements/", views.settlements, name="settlements"),
    path(
        "api/v1/alliances/<int:pk>/settlements/<int:sid>/",
        views.settlement,
        name="settlement",
    ),
    path(
        "api/v1/alliances/<int:pk>/referrals/queue/",
        referrals.queue,
        name="referral_queue",
    ),
    path(
        "api/v1/alliances/<int:pk>/referrals/<int:number>/",
        referrals.referral,
        name="referral",
    ),
    path(
        "api/v1/alliances/<int:pk>/referrals/<int:number>/transitions/",
        referrals.transitions,
        name="referral_transitions",
    ),
    path(
        "api/v1/alliances/<int:pk>/outcome-events/",
        outcomes.events,
        name="outcome_events",
    ),
    path("api/v1/alliances/<int:pk>/indigo/", outcomes.indigo, name="indigo"),
    path("api/v1/catalogue/services/", catalogue.services, name="catalogue_services"),
    path("api/v1/catalogue/services/<int:pk>/", catalogue.service, name="catalogue_service"),
    path("api/v1/catalogue/alliances/<int:pk>/ptv/", catalogue.ptv, name="catalogue_ptv"),
    path("api/v1/catalogue/alliances/<int:pk>/hsds/", catalogue.hsds, name="catalogue_hsds"),
    # Last of the API's addresses: any other under /api/v1/ answers the API's JSON 404.
    re_path(r"^api/v1/", views.not_found, name="not_found"),
    path("api/tokens/", views.tokens, name="tokens"),
    path("api/tokens/<int:token>/revoke/", views.token_revoke_view, name="token_revoke"),
]

from django.urls import path

from allianssi.api import views

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
    path("api/tokens/", views.tokens, name="tokens"),
    path("api/tokens/<int:token>/revoke/", views.token_revoke_view, name="token_revoke"),
]

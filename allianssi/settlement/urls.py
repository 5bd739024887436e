from django.urls import path

from allianssi.settlement import views

app_name = "settlement"
urlpatterns = [
    path("alliances/<int:pk>/settlement/", views.overview, name="overview"),
    path("alliances/<int:pk>/settlement/compute/", views.compute, name="compute"),
    path("alliances/<int:pk>/settlement/terms/", views.terms, name="terms"),
    path("alliances/<int:pk>/settlement/terms/edit/", views.terms_edit, name="terms_edit"),
    path("alliances/<int:pk>/settlement/terms/json/", views.terms_json, name="terms_json"),
    path("alliances/<int:pk>/settlement/kpis/", views.kpis, name="kpis"),
    path("alliances/<int:pk>/settlement/kpis/enter/", views.kpi_enter, name="kpi_enter"),
    path("alliances/<int:pk>/settlement/kpis/<slug:key>.svg", views.kpi_chart, name="kpi_chart"),
    path("alliances/<int:pk>/settlement/billing/", views.billing, name="billing"),
    path("alliances/<int:pk>/settlement/billing/set/", views.billing_set, name="billing_set"),
    path("alliances/<int:pk>/settlement/<int:sid>/", views.detail, name="detail"),
    path("alliances/<int:pk>/settlement/<int:sid>/submit/", views.submit, name="submit"),
    path("alliances/<int:pk>/settlement/<int:sid>/approve/", views.approve, name="approve"),
    path(
        "alliances/<int:pk>/settlement/<int:sid>/<slug:which>.json",
        views.document,
        name="document",
    ),
    path("alliances/<int:pk>/invoices/<int:iid>/", views.invoice, name="invoice"),
    path("alliances/<int:pk>/invoices/<int:iid>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("alliances/<int:pk>/invoices/<int:iid>.xml", views.invoice_xml, name="invoice_xml"),
]

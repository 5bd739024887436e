from django.urls import path

from allianssi.compliance import views

app_name = "compliance"
urlpatterns = [
    path("alliances/<int:pk>/compliance/", views.compliance, name="page"),
    path("alliances/<int:pk>/compliance/tasks/", views.assignment_add, name="assignment_add"),
    path(
        "alliances/<int:pk>/compliance/tasks/<int:item>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path("alliances/<int:pk>/compliance/market/", views.market_declare, name="market_declare"),
    path(
        "alliances/<int:pk>/compliance/market/<int:item>/end/",
        views.market_end,
        name="market_end",
    ),
    path(
        "alliances/<int:pk>/compliance/documents/",
        views.document_register,
        name="document_register",
    ),
]

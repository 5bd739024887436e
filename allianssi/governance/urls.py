from django.urls import path

from allianssi.governance import views

app_name = "governance"
urlpatterns = [
    path("alliances/<int:pk>/leadership/", views.leadership, name="leadership"),
    path(
        "alliances/<int:pk>/leadership/seats/<int:organisation_pk>/",
        views.seat_edit,
        name="seat",
    ),
    path("alliances/<int:pk>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("alliances/<int:pk>/proposals/<int:number>/", views.proposal_detail, name="proposal"),
    path("alliances/<int:pk>/decisions/", views.decisions, name="decisions"),
]

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
    path(
        "alliances/<int:pk>/decisions/document/",
        views.decisions_document,
        name="decisions_document",
    ),
    path("alliances/<int:pk>/ideas/", views.idea_list, name="ideas"),
    path("alliances/<int:pk>/ideas/new/", views.idea_new, name="idea_new"),
    path("alliances/<int:pk>/ideas/<int:number>/", views.idea_detail, name="idea"),
    path("alliances/<int:pk>/meetings/", views.meeting_list, name="meetings"),
    path("alliances/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("alliances/<int:pk>/meetings/<int:number>/", views.meeting_detail, name="meeting"),
    path(
        "alliances/<int:pk>/meetings/<int:number>/minutes/",
        views.meeting_minutes_document,
        name="minutes_document",
    ),
]

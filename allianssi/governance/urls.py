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
    path(
        "alliances/<int:pk>/proposals/<int:number>/open/",
        views.proposal_open,
        name="proposal_open",
    ),
    path(
        "alliances/<int:pk>/proposals/<int:number>/vote/",
        views.proposal_vote,
        name="proposal_vote",
    ),
    path(
        "alliances/<int:pk>/proposals/<int:number>/delegate/",
        views.proposal_delegate,
        name="proposal_delegate",
    ),
    path("alliances/<int:pk>/decisions/", views.decisions, name="decisions"),
    path(
        "alliances/<int:pk>/decisions/document/",
        views.decisions_document,
        name="decisions_document",
    ),
    path("alliances/<int:pk>/ideas/", views.idea_list, name="ideas"),
    path("alliances/<int:pk>/ideas/new/", views.idea_new, name="idea_new"),
    path("alliances/<int:pk>/ideas/<int:number>/", views.idea_detail, name="idea"),
    path(
        "alliances/<int:pk>/ideas/<int:number>/support/",
        views.idea_support,
        name="idea_support",
    ),
    path(
        "alliances/<int:pk>/ideas/<int:number>/comment/",
        views.idea_comment,
        name="idea_comment",
    ),
    path(
        "alliances/<int:pk>/ideas/<int:number>/evaluate/",
        views.idea_evaluate,
        name="idea_evaluate",
    ),
    path(
        "alliances/<int:pk>/ideas/<int:number>/propose/",
        views.idea_propose,
        name="idea_propose",
    ),
    path(
        "alliances/<int:pk>/ideas/<int:number>/decline/",
        views.idea_decline,
        name="idea_decline",
    ),
    path(
        "alliances/<int:pk>/ideas/<int:number>/implementation/",
        views.idea_implementation,
        name="idea_implementation",
    ),
    path("alliances/<int:pk>/meetings/", views.meeting_list, name="meetings"),
    path("alliances/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("alliances/<int:pk>/meetings/<int:number>/", views.meeting_detail, name="meeting"),
    path(
        "alliances/<int:pk>/meetings/<int:number>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "alliances/<int:pk>/meetings/<int:number>/minutes/versions/",
        views.meeting_minutes,
        name="meeting_minutes",
    ),
    path(
        "alliances/<int:pk>/meetings/<int:number>/minutes/approve/",
        views.meeting_approve,
        name="meeting_approve",
    ),
    path(
        "alliances/<int:pk>/meetings/<int:number>/minutes/",
        views.meeting_minutes_document,
        name="minutes_document",
    ),
]

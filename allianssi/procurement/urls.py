from django.urls import path

from allianssi.procurement import views

app_name = "procurement"
urlpatterns = [
    path("alliances/<int:pk>/strategy/", views.strategy_page, name="strategy"),
    path("alliances/<int:pk>/strategy/assessment/", views.assessment_edit, name="assessment"),
    path("alliances/<int:pk>/strategy/go/", views.go_decision_new, name="go_new"),
    path("alliances/<int:pk>/procurements/", views.procurement_list, name="list"),
    path("alliances/<int:pk>/procurements/new/", views.procurement_new, name="new"),
    path("alliances/<int:pk>/procurements/<int:number>/", views.procurement_detail, name="detail"),
    path("alliances/<int:pk>/procurements/<int:number>/edit/", views.procurement_edit, name="edit"),
    path("alliances/<int:pk>/procurements/<int:number>/scores/", views.scores_edit, name="scores"),
    path("alliances/<int:pk>/procurements/<int:number>/award/", views.award_new, name="award"),
    path(
        "alliances/<int:pk>/procurements/<int:number>/ocds.json",
        views.procurement_ocds,
        name="ocds",
    ),
]

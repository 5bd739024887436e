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
        "alliances/<int:pk>/procurements/<int:number>/candidates/",
        views.candidate_add,
        name="candidate_add",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/exclusions/",
        views.candidate_exclude,
        name="candidate_exclude",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/requirements/",
        views.criterion_add,
        name="criterion_add",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/requirements/results/",
        views.result_set,
        name="result_set",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/rounds/",
        views.round_add,
        name="round_add",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/award-criteria/",
        views.award_criteria_set,
        name="award_criteria_set",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/evaluators/",
        views.evaluator_add,
        name="evaluator_add",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/cancel/",
        views.procurement_cancel,
        name="cancel",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/scores/save/",
        views.scores_save,
        name="scores_save",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/scores/conflicts/",
        views.conflict_declare,
        name="conflict_declare",
    ),
    path(
        "alliances/<int:pk>/procurements/<int:number>/ocds.json",
        views.procurement_ocds,
        name="ocds",
    ),
]

from django.urls import URLPattern, path

from allianssi.outcomes import views

app_name = "outcomes"

_OUTCOMES = "alliances/<int:pk>/outcomes/"

urlpatterns: list[URLPattern] = [
    path(_OUTCOMES, views.index, name="index"),
    path(f"{_OUTCOMES}events/", views.event_list, name="events"),
    path(f"{_OUTCOMES}events/<int:event>/", views.event_detail, name="event"),
    path(f"{_OUTCOMES}events/<int:event>/dispute/", views.dispute_raise, name="dispute_raise"),
    path(f"{_OUTCOMES}disputes/", views.dispute_list, name="disputes"),
    path(f"{_OUTCOMES}disputes/<int:dispute>/decide/", views.dispute_decide, name="dispute_decide"),
    path(
        f"{_OUTCOMES}customers/<int:number>/new/",
        views.record_for_customer,
        name="record_customer",
    ),
    path(
        f"{_OUTCOMES}referrals/<int:number>/new/",
        views.record_for_referral,
        name="record_referral",
    ),
    path(f"{_OUTCOMES}import/", views.events_import, name="import"),
    path(f"{_OUTCOMES}import/template.<slug:fmt>", views.import_template, name="import_template"),
    path(f"{_OUTCOMES}extracts/", views.extracts, name="extracts"),
    path(f"{_OUTCOMES}samples/", views.samples, name="samples"),
    path(f"{_OUTCOMES}samples/new/", views.sample_draw, name="sample_draw"),
    path(f"{_OUTCOMES}samples/<int:sample>/", views.sample_detail, name="sample"),
    path(
        f"{_OUTCOMES}samples/<int:sample>/claims/<int:event>/check/",
        views.sample_check,
        name="sample_check",
    ),
    path(f"{_OUTCOMES}kpis/new/", views.definition_new, name="definition_new"),
    path(f"{_OUTCOMES}kpis/<slug:code>/edit/", views.definition_edit, name="definition_edit"),
    path(f"{_OUTCOMES}figures/<slug:code>/", views.figures, name="figures"),
    path(
        f"{_OUTCOMES}figures/<slug:code>/trajectory.svg",
        views.trajectory_chart,
        name="trajectory_chart",
    ),
    path(f"{_OUTCOMES}funnel.svg", views.funnel_chart, name="funnel_chart"),
]

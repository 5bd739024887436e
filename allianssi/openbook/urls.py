from django.urls import path

from allianssi.openbook import views

app_name = "openbook"
urlpatterns = [
    path("alliances/<int:pk>/books/", views.books, name="books"),
    path("alliances/<int:pk>/books/entries.csv", views.books_csv, name="csv"),
    path("alliances/<int:pk>/books/entries.xlsx", views.books_xlsx, name="xlsx"),
    path("alliances/<int:pk>/books/chart/<slug:name>.svg", views.books_chart, name="chart"),
    path("alliances/<int:pk>/books/import/", views.books_import, name="import"),
    path(
        "alliances/<int:pk>/books/import/template.<slug:fmt>",
        views.import_template,
        name="import_template",
    ),
    path("alliances/<int:pk>/books/plan/", views.books_plan, name="plan"),
    path("alliances/<int:pk>/books/plan/budget/", views.plan_budget, name="plan_budget"),
    path("alliances/<int:pk>/books/plan/staff/", views.plan_staff, name="plan_staff"),
    path(
        "alliances/<int:pk>/books/plan/budget/<int:revision>/correct/",
        views.budget_revision_correct,
        name="budget_correct",
    ),
    path(
        "alliances/<int:pk>/books/plan/staff/<int:revision>/correct/",
        views.staff_revision_correct,
        name="staff_correct",
    ),
    path("alliances/<int:pk>/books/entries/new/", views.entry_new, name="entry_new"),
    path(
        "alliances/<int:pk>/books/entries/<int:entry>/reverse/",
        views.entry_reverse,
        name="entry_reverse",
    ),
    path("alliances/<int:pk>/books/import/<int:job>/", views.import_job, name="job"),
    path(
        "alliances/<int:pk>/books/import/<int:job>/status.json",
        views.import_job_status,
        name="job_status",
    ),
]

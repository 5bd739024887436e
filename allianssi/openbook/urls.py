from django.urls import path

from allianssi.openbook import views

app_name = "openbook"
urlpatterns = [
    path("alliances/<int:pk>/books/", views.books, name="books"),
    path("alliances/<int:pk>/books/entries.csv", views.books_csv, name="csv"),
    path("alliances/<int:pk>/books/entries.xlsx", views.books_xlsx, name="xlsx"),
    path("alliances/<int:pk>/books/import/", views.books_import, name="import"),
    path("alliances/<int:pk>/books/import/<int:job>/", views.import_job, name="job"),
    path(
        "alliances/<int:pk>/books/import/<int:job>/status.json",
        views.import_job_status,
        name="job_status",
    ),
]

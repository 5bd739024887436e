from django.urls import path

from allianssi.alliancesearch import views

app_name = "alliancesearch"
urlpatterns = [
    path("alliances/<int:pk>/search/", views.search, name="search"),
]

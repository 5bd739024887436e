from django.urls import path

from allianssi.home import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="index"),
    path("glossary/", views.glossary, name="glossary"),
    path("help/formats/<slug:slug>/", views.format_guide, name="format_guide"),
]

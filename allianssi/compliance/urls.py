from django.urls import path

from allianssi.compliance import views

app_name = "compliance"
urlpatterns = [
    path("alliances/<int:pk>/compliance/", views.compliance, name="page"),
]

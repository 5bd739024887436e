from django.urls import path

from allianssi.parties import views

app_name = "parties"
urlpatterns = [path("new/", views.party_create, name="create")]

"""The ``parties`` pages: registering a party, a page of the alliances' people (who may register
one follows from their roles in alliances), under the ``parties`` namespace."""

from django.urls import path

from allianssi.alliances import views

app_name = "parties"
urlpatterns = [path("new/", views.party_create, name="create")]

"""The person's sign-in, under /tunnistus/. The test identification exists only where
``settings.ALLIANSSI_TEST_IDENTIFICATION`` is on (development and the tests), never in
production."""

from django.conf import settings
from django.urls import URLPattern, path

from allianssi.identification import views

app_name = "identification"

urlpatterns: list[URLPattern] = [
    path("tunnistus/", views.start, name="start"),
    path("tunnistus/kirjaudu/", views.login, name="login"),
    path("tunnistus/acs/", views.acs, name="acs"),
    path("tunnistus/ulos/", views.logout, name="logout"),
    path("tunnistus/slo/", views.sls, name="sls"),
    path("tunnistus/metadata/", views.metadata, name="metadata"),
]

if settings.ALLIANSSI_TEST_IDENTIFICATION:
    from allianssi.identification import testing

    urlpatterns.append(
        path("tunnistus/testi/", testing.identify, name="test"),
    )

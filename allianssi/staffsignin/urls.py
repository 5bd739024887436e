"""Staff sign-in with the organisation's own identity provider, under /accounts/organisation/."""

from django.urls import path

from allianssi.staffsignin import oidc, views

app_name = "staffsignin"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:provider_id>/", oidc.BeginView.as_view(), name="begin"),
    path("callback/", oidc.CallbackView.as_view(), name="callback"),
]

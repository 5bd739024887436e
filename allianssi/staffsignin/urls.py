"""Staff sign-in with the organisation's own identity provider, under /accounts/organisation/."""

from django.urls import path

from allianssi.staffsignin import oidc, settings_views, views

app_name = "staffsignin"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:provider_id>/", oidc.BeginView.as_view(), name="begin"),
    path("callback/", oidc.CallbackView.as_view(), name="callback"),
    # The organisation's main user sets, changes or switches off its provider.
    path("provider/", settings_views.provider_settings, name="settings"),
    path("provider/switch/", settings_views.provider_switch, name="switch"),
]

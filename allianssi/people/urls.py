"""One's own page and an organisation's people, under ``/accounts/`` beside the accounts' own
pages (docs/accounts.md)."""

from django.urls import path

from allianssi.people import views

app_name = "people"
urlpatterns = [
    path("", views.account, name="account"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/resend/", views.person_resend, name="person_resend"),
    path("people/<int:pk>/cancel/", views.person_cancel, name="person_cancel"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/main-user/", views.person_main_grant, name="person_main_grant"),
    path(
        "people/<int:pk>/main-user/withdraw/",
        views.person_main_revoke,
        name="person_main_revoke",
    ),
]

from django.urls import URLPattern, path

from allianssi.referrals import views

app_name = "referrals"

_REFERRAL = "alliances/<int:pk>/referrals/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("alliances/<int:pk>/referrals/queue/", views.queue, name="queue"),
    path("alliances/<int:pk>/referrals/outgoing/", views.outgoing, name="outgoing"),
    path("alliances/<int:pk>/customers/<int:number>/refer/", views.create, name="create"),
    path(_REFERRAL, views.detail, name="detail"),
    path(f"{_REFERRAL}send/", views.send, name="send"),
    path(f"{_REFERRAL}accept/", views.accept, name="accept"),
    path(f"{_REFERRAL}reject/", views.reject, name="reject"),
    path(f"{_REFERRAL}start/", views.start, name="start"),
    path(f"{_REFERRAL}complete/", views.complete, name="complete"),
    path(f"{_REFERRAL}interrupt/", views.interrupt, name="interrupt"),
    path(f"{_REFERRAL}revoke/", views.revoke, name="revoke"),
    path(f"{_REFERRAL}decline/", views.decline, name="decline"),
]

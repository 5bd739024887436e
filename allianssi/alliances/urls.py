from django.urls import path

from allianssi.alliances import views

app_name = "alliances"
urlpatterns = [
    path("alliances/", views.alliance_list, name="list"),
    path("alliances/new/", views.alliance_create, name="create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="detail"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="edit"),
    path("alliances/<int:pk>/members/add/", views.member_add, name="member_add"),
    path(
        "alliances/<int:pk>/members/<int:membership_pk>/exit/",
        views.member_exit,
        name="member_exit",
    ),
    path(
        "alliances/<int:pk>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("alliances/<int:pk>/phase/", views.alliance_phase, name="phase"),
    path("alliances/<int:pk>/audit/", views.alliance_audit, name="audit"),
    path("alliances/<int:pk>/roles/", views.alliance_roles, name="roles"),
    path(
        "alliances/<int:pk>/roles/<int:role_pk>/revoke/",
        views.alliance_role_revoke,
        name="role_revoke",
    ),
]

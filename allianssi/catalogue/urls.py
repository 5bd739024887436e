from django.urls import path

from allianssi.catalogue import views

app_name = "catalogue"

#: The public front door, once per language, each address in its own language.
_PUBLIC = {
    "fi": ("palvelut", "pyyda", "kiitos"),
    "sv": ("tjanster", "begar", "tack"),
    "en": ("services", "ask", "thanks"),
}

urlpatterns = [
    path("alliances/<int:pk>/services/", views.service_list, name="services"),
    path("alliances/<int:pk>/services/settings/", views.settings_update, name="settings"),
    path("alliances/<int:pk>/services/new/", views.service_new, name="service_new"),
    path("alliances/<int:pk>/services/<int:number>/", views.service_detail, name="service"),
    path("alliances/<int:pk>/services/<int:number>/edit/", views.service_edit, name="service_edit"),
    path(
        "alliances/<int:pk>/services/<int:number>/channels/new/",
        views.channel_new,
        name="channel_new",
    ),
    path(
        "alliances/<int:pk>/services/<int:number>/channels/<int:channel>/remove/",
        views.channel_remove,
        name="channel_remove",
    ),
    path("alliances/<int:pk>/services/<int:number>/submit/", views.service_submit, name="submit"),
    path(
        "alliances/<int:pk>/services/<int:number>/publish/", views.service_publish, name="publish"
    ),
    path("alliances/<int:pk>/services/<int:number>/return/", views.service_return, name="return"),
    path("alliances/<int:pk>/services/<int:number>/revise/", views.service_revise, name="revise"),
    path(
        "alliances/<int:pk>/services/<int:number>/withdraw/",
        views.service_withdraw,
        name="withdraw",
    ),
    path("alliances/<int:pk>/service-requests/", views.request_list, name="requests"),
    path(
        "alliances/<int:pk>/service-requests/<int:request_pk>/",
        views.request_detail,
        name="request",
    ),
    path(
        "alliances/<int:pk>/service-requests/<int:request_pk>/handle/",
        views.request_handle,
        name="request_handle",
    ),
]

for _language, (_base, _ask, _thanks) in _PUBLIC.items():
    _kwargs = {"language": _language}
    urlpatterns += [
        path(f"{_base}/", views.public_list, _kwargs, name=f"public_list_{_language}"),
        path(
            f"{_base}/<int:pk>/", views.public_service, _kwargs, name=f"public_service_{_language}"
        ),
        path(
            f"{_base}/<int:pk>/{_ask}/",
            views.public_request,
            _kwargs,
            name=f"public_request_{_language}",
        ),
        path(
            f"{_base}/<int:pk>/{_thanks}/",
            views.public_thanks,
            _kwargs,
            name=f"public_thanks_{_language}",
        ),
    ]

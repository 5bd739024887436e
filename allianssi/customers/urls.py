from django.urls import URLPattern, path

from allianssi.customers import import_views, person_views, views

app_name = "customers"

_CUSTOMER = "alliances/<int:pk>/customers/<int:number>/"
_IMPORT = "alliances/<int:pk>/customers/import/"

urlpatterns: list[URLPattern] = [
    path("alliances/<int:pk>/customers/", views.customer_list, name="list"),
    path("alliances/<int:pk>/customers/new/", views.customer_create, name="create"),
    path("alliances/<int:pk>/customers/settings/", views.customer_settings, name="settings"),
    path(f"{_IMPORT}", import_views.customers_import, name="import"),
    path(f"{_IMPORT}template.jsonl", import_views.import_template, name="import_template"),
    path(f"{_IMPORT}<int:job>/", import_views.import_job, name="import_job"),
    path(
        f"{_IMPORT}<int:job>/status.json",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path(_CUSTOMER, views.customer_detail, name="detail"),
    path(f"{_CUSTOMER}edit/", views.customer_edit, name="edit"),
    path(f"{_CUSTOMER}identity/", views.identity_reveal, name="reveal"),
    path(f"{_CUSTOMER}consents/", views.consent_give, name="consent_give"),
    path(
        f"{_CUSTOMER}consents/<int:consent>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(f"{_CUSTOMER}erase/", views.customer_erase, name="erase"),
    path(f"{_CUSTOMER}data/", views.customer_export, name="export"),
    path(f"{_CUSTOMER}data.json", views.customer_export_json, name="export_json"),
    path(f"{_CUSTOMER}access/", views.customer_access, name="access"),
]

# The person's own pages, once per language, each address in its own language.
for _language, (
    _base,
    _data,
    _refs,
    _consents,
    _no,
    _withdraw,
    _give,
) in person_views.PATHS.items():
    _kwargs = {"language": _language}
    urlpatterns += [
        path(f"{_base}/", person_views.mine, _kwargs, name=f"mine_{_language}"),
        path(f"{_base}/{_data}/", person_views.mine_data, _kwargs, name=f"mine_data_{_language}"),
        path(
            f"{_base}/{_data}.json",
            person_views.mine_data_json,
            _kwargs,
            name=f"mine_data_json_{_language}",
        ),
        path(
            f"{_base}/{_refs}/<int:pk>/{_no}/",
            person_views.mine_decline,
            _kwargs,
            name=f"mine_decline_{_language}",
        ),
        path(
            f"{_base}/{_consents}/<int:pk>/{_withdraw}/",
            person_views.mine_consent_withdraw,
            _kwargs,
            name=f"mine_consent_withdraw_{_language}",
        ),
        path(
            f"{_base}/{_consents}/<int:pk>/{_give}/",
            person_views.mine_consent_give,
            _kwargs,
            name=f"mine_consent_give_{_language}",
        ),
    ]

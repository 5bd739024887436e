from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/organisation/", include("allianssi.staffsignin.urls")),
    path("accounts/", include("allianssi.people.urls")),
    path("accounts/", include("allianssi.accounts.urls")),
    path("parties/", include("allianssi.alliances.party_urls")),
    path("notifications/", include("allianssi.notifications.urls")),
    path("", include("allianssi.governance.urls")),
    path("", include("allianssi.procurement.urls")),
    path("", include("allianssi.compliance.urls")),
    path("", include("allianssi.openbook.urls")),
    path("", include("allianssi.api.urls")),
    path("", include("allianssi.settlement.urls")),
    path("", include("allianssi.catalogue.urls")),
    path("", include("allianssi.customers.urls")),
    path("", include("allianssi.referrals.urls")),
    path("", include("allianssi.outcomes.urls")),
    path("", include("allianssi.identification.urls")),
    path("", include("allianssi.alliances.audit_urls")),
    path("", include("allianssi.home.urls")),
    path("", include("allianssi.alliancesearch.urls")),
    path("", include("allianssi.alliances.urls")),
]

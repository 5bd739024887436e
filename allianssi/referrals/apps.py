from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "allianssi.referrals"
    verbose_name = "Referrals"

from django.apps import AppConfig


class StaffSigninConfig(AppConfig):
    name = "allianssi.staffsignin"
    verbose_name = "Staff sign-in with the organisation's identity provider"

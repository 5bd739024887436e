from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "allianssi.referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.notifications.reminders import register_reminders
        from allianssi.referrals import reminders, selectors

        register_reminders(
            "referrals", reminders.referrals_expiring, hours=reminders.REFERRAL_REMINDER_HOURS
        )
        hooks.register_audit_parties(
            "referrals.referral", selectors.audit_parties, selectors.audit_readers
        )

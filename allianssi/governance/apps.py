from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "allianssi.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.governance import reminders
        from allianssi.governance.models import ProposalStatus
        from allianssi.notifications.reminders import register_reminders

        def proposal_status(value: str) -> str | None:
            if value not in ProposalStatus.values:
                return None
            return str(ProposalStatus(value).label)

        hooks.register_label("proposal_status", proposal_status)
        # Votes closing: the seats that have not voted are reminded (notifications_remind).
        register_reminders("votes", reminders.votes_closing, hours=reminders.VOTE_REMINDER_HOURS)

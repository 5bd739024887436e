"""Every audit action, registered once, with the sentence that tells a reader what happened.

An audit record stores its action's ``name`` (``"proposal.create"``); the name never changes once
records carry it. The services pass the constant (``actions.PROPOSAL_CREATE``), never a string,
and ``audit_append`` refuses a name that is not registered here. The audit page reads each record
as its action's sentence, in the reader's language:

* ``sentence`` uses the record's parameters by name: the keys of its ``after`` (and of its
  ``before`` where ``after`` lacks them), and ``actor``;
* ``plain`` names only ``actor`` and is used when a parameter of ``sentence`` is missing, as in a
  record written before the parameter was kept.

Adding an action (docs/audit.md): add one ``Action(...)`` line to the app's block below, pass the
constant to ``audit_append``, and put the sentences' Finnish and Swedish in the translations.
``tests/audit/test_actions.py`` lists any action string in the source that is not a constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REGISTRY: dict[str, Action] = {}


class UnregisteredAction(ValueError):
    """An action name that is not in the registry: register it in ``allianssi/audit/actions.py``."""


@dataclass(frozen=True)
class Action:
    name: str
    plain: str | Promise
    sentence: str | Promise | None = None
    #: The parameters of ``sentence`` that are amounts in euros: the reader's language writes
    #: each with its euro sign ("1 234,00 €", "€1,234.00"), so the sentence writes none.
    money: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    def render(self, params: Mapping[str, Any]) -> str:
        """The sentence with ``params`` (which must include ``actor``), or the plain sentence when
        the record lacks one of the sentence's parameters."""
        if self.sentence is not None:
            try:
                return str(self.sentence) % params
            except (KeyError, TypeError, ValueError):
                pass
        try:
            return str(self.plain) % {"actor": params.get("actor", "")}
        except (KeyError, TypeError, ValueError):  # a broken translation
            return str(self.plain)


def register(
    name: str,
    plain: str | Promise,
    sentence: str | Promise | None = None,
    *,
    money: tuple[str, ...] = (),
) -> Action:
    if name in REGISTRY:
        raise ValueError(f"the audit action {name!r} is registered twice")
    action = Action(name, plain, sentence, money)
    REGISTRY[name] = action
    return action


def get(name: str | Action) -> Action:
    """The registered action of ``name``; ``UnregisteredAction`` when there is none."""
    key = name.name if isinstance(name, Action) else name
    try:
        return REGISTRY[key]
    except KeyError:
        raise UnregisteredAction(
            f"the audit action {key!r} is not registered: add it to allianssi/audit/actions.py "
            "(docs/audit.md, 'Adding an action')"
        ) from None


def is_registered(name: str) -> bool:
    return name in REGISTRY


# accounts --------------------------------------------------------------------------------------
USER_CREATE = register(
    "user.create",
    _("%(actor)s created a user account"),
    _("%(actor)s created the user account %(username)s (%(name)s)"),
)

USER_PASSWORD_CHANGE = register("user.password_change", _("%(actor)s changed their password"))
USER_PASSWORD_RESET_REQUEST = register(
    "user.password_reset_request", _("A password reset link was sent by e-mail")
)
USER_PASSWORD_RESET = register(
    "user.password_reset", _("%(actor)s set a new password with a reset link")
)
USER_INVITE = register(
    "user.invite",
    _("%(actor)s invited a colleague"),
    _("%(actor)s invited %(name)s (%(email)s) to use Allianssi"),
)
USER_INVITATION_RESEND = register(
    "user.invitation_resend", _("%(actor)s sent a colleague's invitation again")
)
USER_INVITATION_CANCEL = register(
    "user.invitation_cancel", _("%(actor)s cancelled a colleague's invitation")
)
USER_INVITATION_ACCEPT = register(
    "user.invitation_accept", _("%(actor)s accepted the invitation and set a password")
)
USER_DEACTIVATE = register("user.deactivate", _("%(actor)s deactivated a colleague's account"))
USER_REACTIVATE = register("user.reactivate", _("%(actor)s reactivated a colleague's account"))
USER_MAIN_USER_GRANT = register(
    "user.main_user_grant", _("%(actor)s named a colleague a main user of the organisation")
)
USER_MAIN_USER_REVOKE = register(
    "user.main_user_revoke", _("%(actor)s withdrew a colleague's main user rights")
)

# staff sign-in ---------------------------------------------------------------------------------
STAFFSIGNIN_PROVIDER_SET = register(
    "staffsignin.provider_set",
    _("%(actor)s set the organisation's identity provider"),
    _("%(actor)s set the organisation's identity provider %(issuer)s"),
)
STAFFSIGNIN_PROVIDER_OFF = register(
    "staffsignin.provider_off",
    _("%(actor)s switched off sign-in through the organisation's identity provider"),
)
STAFFSIGNIN_PROVIDER_ON = register(
    "staffsignin.provider_on",
    _("%(actor)s switched on sign-in through the organisation's identity provider"),
)
STAFFSIGNIN_PROVIDER_RESEAL = register(
    "staffsignin.provider_reseal",
    _("%(actor)s encrypted the identity providers' secrets under the current key"),
)
STAFFSIGNIN_SUCCESS = register(
    "staffsignin.success", _("%(actor)s signed in through the organisation's identity provider")
)
STAFFSIGNIN_FAILURE = register(
    "staffsignin.failure",
    _("A sign-in through an organisation's identity provider was refused"),
    _("A sign-in through an organisation's identity provider was refused (%(reason)s)"),
)

# notifications ---------------------------------------------------------------------------------
NOTIFICATIONS_SETTINGS = register(
    "notifications.settings", _("%(actor)s chose how their notifications reach them")
)

# parties ---------------------------------------------------------------------------------------
ORGANISATION_CREATE = register(
    "organisation.create",
    _("%(actor)s added an organisation"),
    _("%(actor)s added the organisation %(name)s"),
)

# alliances -------------------------------------------------------------------------------------
ALLIANCE_CREATE = register(
    "alliance.create",
    _("%(actor)s created the alliance"),
    _("%(actor)s created the alliance “%(name)s”"),
)
ALLIANCE_UPDATE = register(
    "alliance.update",
    _("%(actor)s changed the alliance's details"),
    _("%(actor)s changed the details of the alliance “%(name)s”"),
)
ALLIANCE_PHASE = register(
    "alliance.phase",
    _("%(actor)s moved the alliance to a new phase"),
    _("%(actor)s moved the alliance to a new phase from %(effective_on)s"),
)
MEMBERSHIP_ADD = register(
    "membership.add",
    _("%(actor)s added a party to the alliance"),
    _("%(actor)s added %(organisation_name)s to the alliance from %(joined_on)s"),
)
MEMBERSHIP_ADMIT = register(
    "membership.admit",
    _("%(actor)s admitted a party to the alliance by a decision"),
    _("%(actor)s admitted %(organisation_name)s to the alliance by a decision (%(basis)s)"),
)
MEMBERSHIP_EXIT = register(
    "membership.exit",
    _("%(actor)s recorded a party's exit from the alliance"),
    _("%(actor)s recorded the exit of %(organisation_name)s from the alliance on %(ended_on)s"),
)
MEMBERSHIP_REMOVE = register(
    "membership.remove",
    _("%(actor)s removed a party from the alliance"),
    _("%(actor)s removed %(organisation_name)s from the alliance on %(ended_on)s"),
)
ROLE_GRANT = register("role.grant", _("%(actor)s granted a role in the alliance"))
ROLE_REVOKE = register("role.revoke", _("%(actor)s revoked a role in the alliance"))

# api -------------------------------------------------------------------------------------------
API_TOKEN_CREATE = register(
    "api.token_create",
    _("%(actor)s created an API token"),
    _("%(actor)s created the API token “%(name)s”"),
)
API_TOKEN_REVOKE = register(
    "api.token_revoke",
    _("%(actor)s revoked an API token"),
    _("%(actor)s revoked the API token “%(name)s”"),
)

# governance ------------------------------------------------------------------------------------
SEAT_ASSIGN = register("seat.assign", _("%(actor)s assigned a seat in the leadership group"))
PROPOSAL_CREATE = register(
    "proposal.create",
    _("%(actor)s created a proposal"),
    _("%(actor)s created the proposal %(number)s “%(title)s”"),
)
PROPOSAL_OPEN = register(
    "proposal.open",
    _("%(actor)s opened a proposal for voting"),
    _("%(actor)s opened the proposal for voting until %(deadline)s"),
)
PROPOSAL_CLOSE = register(
    "proposal.close",
    _("%(actor)s closed the voting on a proposal"),
    _("%(actor)s closed the voting on the proposal %(number)s “%(title)s”"),
)
VOTE_CAST = register("vote.cast", _("%(actor)s cast a vote"))
VOTE_DELEGATE = register("vote.delegate", _("%(actor)s delegated a vote to another seat"))
MEETING_CREATE = register(
    "meeting.create",
    _("%(actor)s called a meeting"),
    _("%(actor)s called the meeting %(number)s “%(title)s” for %(starts_at)s"),
)
MEETING_ATTENDANCE = register("meeting.attendance", _("%(actor)s recorded who attended a meeting"))
MINUTES_SAVE = register(
    "minutes.save",
    _("%(actor)s saved the minutes of a meeting"),
    _("%(actor)s saved version %(version)s of the minutes of a meeting"),
)
MINUTES_APPROVE = register(
    "minutes.approve",
    _("%(actor)s approved the minutes of a meeting"),
    _("%(actor)s approved version %(version)s of the minutes of a meeting"),
)
IDEA_POST = register(
    "idea.post",
    _("%(actor)s posted an idea"),
    _("%(actor)s posted the idea %(number)s “%(title)s”"),
)
IDEA_COMMENT = register("idea.comment", _("%(actor)s commented on an idea"))
IDEA_SUPPORT = register("idea.support", _("%(actor)s supported an idea"))
IDEA_EVALUATE = register("idea.evaluate", _("%(actor)s evaluated an idea"))
IDEA_DECLINE = register(
    "idea.decline",
    _("%(actor)s declined an idea"),
    _("%(actor)s declined an idea: %(reason)s"),
)
IDEA_PROPOSE = register("idea.propose", _("%(actor)s made a proposal of an idea"))
IDEA_IMPLEMENTATION = register(
    "idea.implementation", _("%(actor)s recorded how an idea was implemented")
)

# procurement -----------------------------------------------------------------------------------
THRESHOLD_SET = register(
    "threshold.set",
    _("%(actor)s set a procurement threshold"),
    _("%(actor)s set a procurement threshold of %(amount)s from %(valid_from)s"),
    money=("amount",),
)
PROCUREMENT_CREATE = register(
    "procurement.create",
    _("%(actor)s started a procurement"),
    _("%(actor)s started the procurement “%(title)s”"),
)
PROCUREMENT_UPDATE = register(
    "procurement.update",
    _("%(actor)s changed a procurement"),
    _("%(actor)s changed the procurement “%(title)s”"),
)
PROCUREMENT_CANCEL = register(
    "procurement.cancel",
    _("%(actor)s cancelled a procurement"),
    _("%(actor)s cancelled a procurement: %(reason)s"),
)
PROCUREMENT_AWARD = register("procurement.award", _("%(actor)s awarded a procurement"))
CANDIDATE_ADD = register(
    "candidate.add",
    _("%(actor)s added a candidate to a procurement"),
    _("%(actor)s added a candidate (business ID %(business_id)s) to a procurement"),
)
CANDIDATE_EXCLUDE = register(
    "candidate.exclude",
    _("%(actor)s excluded a candidate from a procurement"),
    _("%(actor)s excluded a candidate from a procurement: %(reason)s"),
)
SELECTION_CRITERION_ADD = register(
    "selection_criterion.add",
    _("%(actor)s added a selection criterion"),
    _("%(actor)s added the selection criterion “%(text)s”"),
)
SELECTION_RESULT_SET = register(
    "selection_result.set", _("%(actor)s recorded whether a candidate meets a criterion")
)
NEGOTIATION_ROUND_ADD = register(
    "negotiation_round.add",
    _("%(actor)s recorded a negotiation round"),
    _("%(actor)s recorded negotiation round %(number)s held on %(held_on)s"),
)
AWARD_CRITERIA_SET = register("award_criteria.set", _("%(actor)s set the award criteria"))
EVALUATOR_ADD = register("evaluator.add", _("%(actor)s added an evaluator to a procurement"))
CONFLICT_DECLARE = register("conflict.declare", _("%(actor)s declared a conflict of interest"))
SCORE_SET = register(
    "score.set",
    _("%(actor)s scored a candidate"),
    _("%(actor)s gave a candidate %(points)s points"),
)
AWARD_PROPOSE = register("award.propose", _("%(actor)s proposed the award of a procurement"))
ASSESSMENT_SUBMIT = register("assessment.submit", _("%(actor)s submitted a suitability assessment"))
GO_DECISION_PROPOSE = register(
    "go_decision.propose", _("%(actor)s proposed the decision to go ahead")
)
GO_DECISION_DECIDED = register(
    "go_decision.decided", _("%(actor)s recorded the decision to go ahead")
)

# open books ------------------------------------------------------------------------------------
BUDGET_SET = register(
    "budget.set",
    _("%(actor)s set a budget"),
    _("%(actor)s set the budget for %(year)s to %(amount)s"),
    money=("amount",),
)
BUDGET_SUPERSEDE = register(
    "budget.supersede",
    _("%(actor)s corrected a budget"),
    _("%(actor)s corrected the budget for %(year)s to %(amount)s"),
    money=("amount",),
)
STAFF_SET = register(
    "staff.set",
    _("%(actor)s set a staff contribution"),
    _("%(actor)s set the staff contribution for %(year)s to %(person_years)s person-years"),
)
STAFF_SUPERSEDE = register(
    "staff.supersede",
    _("%(actor)s corrected a staff contribution"),
    _("%(actor)s corrected the staff contribution for %(year)s to %(person_years)s person-years"),
)
COST_POST = register(
    "cost.post",
    _("%(actor)s entered a cost"),
    _("%(actor)s entered a cost of %(amount)s booked on %(booked_on)s"),
    money=("amount",),
)
COST_REVERSE = register(
    "cost.reverse",
    _("%(actor)s reversed a cost"),
    _("%(actor)s reversed a cost with an entry of %(amount)s"),
    money=("amount",),
)
COST_IMPORT = register(
    "cost.import",
    _("%(actor)s imported costs"),
    _("%(actor)s imported %(rows)s cost rows (%(total)s) from %(source)s"),
    money=("total",),
)
COST_IMPORT_QUEUED = register(
    "cost.import_queued",
    _("%(actor)s started an import of costs"),
    _("%(actor)s started an import of costs from %(source)s"),
)
COST_IMPORT_FINISHED = register(
    "cost.import_finished",
    _("An import of costs finished"),
    _("An import of costs finished: %(rows_read)s rows read, %(rows_rejected)s rejected"),
)

# settlement ------------------------------------------------------------------------------------
TERMS_PROPOSE = register(
    "terms.propose",
    _("%(actor)s proposed commercial terms"),
    _("%(actor)s proposed version %(version)s of the commercial terms for %(year)s"),
)
TERMS_IN_FORCE = register(
    "terms.in_force",
    _("%(actor)s put commercial terms in force"),
    _("%(actor)s put version %(version)s of the commercial terms for %(year)s in force"),
)
TERMS_NOT_DECIDED = register(
    "terms.not_decided",
    _("Proposed commercial terms were not decided"),
    _("Version %(version)s of the commercial terms for %(year)s was not decided"),
)
KPI_RESULT_ENTER = register(
    "kpi_result.enter",
    _("%(actor)s entered a KPI result"),
    _("%(actor)s entered the KPI result %(value)s measured on %(measured_on)s"),
)
KPI_RESULT_COMPUTE = register(
    "kpi_result.compute",
    _("A KPI result was computed"),
    _("The KPI result %(value)s measured on %(measured_on)s was computed"),
)
SETTLEMENT_COMPUTE = register(
    "settlement.compute",
    _("%(actor)s computed a settlement"),
    _("%(actor)s computed version %(version)s of a settlement"),
)
SETTLEMENT_RECOMPUTE = register(
    "settlement.recompute",
    _("%(actor)s recomputed a settlement"),
    _("%(actor)s recomputed version %(version)s of a settlement"),
)
SETTLEMENT_SUBMIT = register(
    "settlement.submit",
    _("%(actor)s submitted a settlement for approval"),
    _("%(actor)s submitted version %(version)s of a settlement for approval"),
)
SETTLEMENT_APPROVE = register(
    "settlement.approve", _("%(actor)s approved a settlement for their party")
)
SETTLEMENT_REFUSE = register(
    "settlement.refuse", _("%(actor)s refused a settlement for their party")
)
SETTLEMENT_APPROVED = register(
    "settlement.approved",
    _("A settlement was approved by every party"),
    _("Version %(version)s of a settlement was approved by every party"),
)
SETTLEMENT_REJECTED = register(
    "settlement.rejected",
    _("A settlement was rejected"),
    _("Version %(version)s of a settlement was rejected"),
)
BILLING_SET = register(
    "billing.set",
    _("%(actor)s changed billing details"),
    _("%(actor)s changed the billing details of %(name)s"),
)
INVOICE_MAKE = register(
    "invoice.make",
    _("An invoice was made"),
    _("Invoice %(number)s was made (net %(net)s, VAT %(vat)s)"),
    money=("net", "vat"),
)

# compliance ------------------------------------------------------------------------------------
ASSIGNMENT_ADD = register(
    "assignment.add",
    _("%(actor)s recorded a task assignment"),
    _("%(actor)s recorded the task assignment “%(task)s”"),
)
ASSIGNMENT_END = register("assignment.end", _("%(actor)s ended a task assignment"))
MARKET_ACTIVITY_DECLARE = register(
    "market_activity.declare",
    _("%(actor)s declared a market activity"),
    _("%(actor)s declared the market activity “%(description)s”"),
)
MARKET_ACTIVITY_END = register("market_activity.end", _("%(actor)s ended a market activity"))
AGREEMENT_DOCUMENT_REGISTER = register(
    "agreement_document.register",
    _("%(actor)s registered an agreement document"),
    _("%(actor)s registered the agreement document “%(title)s”, version %(version)s"),
)

# customers -------------------------------------------------------------------------------------
CUSTOMER_CREATE = register(
    "customer.create",
    _("%(actor)s added a customer"),
    _("%(actor)s added the customer %(number)s"),
)
CUSTOMER_UPDATE = register(
    "customer.update",
    _("%(actor)s changed a customer's details"),
    _("%(actor)s changed the details of the customer %(number)s"),
)
CUSTOMER_CONSENT_GIVE = register(
    "customer.consent_give", _("%(actor)s recorded a customer's consent")
)
CUSTOMER_CONSENT_WITHDRAW = register(
    "customer.consent_withdraw", _("%(actor)s recorded the withdrawal of a customer's consent")
)
CUSTOMER_ERASE = register(
    "customer.erase",
    _("%(actor)s erased a customer's personal data"),
    _("%(actor)s erased the personal data of the customer %(number)s"),
)
CUSTOMER_SETTINGS = register(
    "customer.settings",
    _("%(actor)s changed how long customer data is kept"),
    _("%(actor)s set customer data to be kept for %(retention_days)s days"),
)
CUSTOMER_RETENTION_ERASE = register(
    "customer.retention_erase",
    _("A customer's personal data was erased at the end of its retention"),
    _("The personal data of the customer %(number)s was erased at the end of its retention"),
)
CUSTOMER_IMPORT = register(
    "customer.import",
    _("%(actor)s imported customers"),
    _("%(actor)s imported %(customers)s customers with %(referrals)s referrals"),
)
CUSTOMER_IMPORT_QUEUED = register(
    "customer.import_queued",
    _("%(actor)s uploaded a file of customers"),
    _("%(actor)s uploaded the file of customers %(source)s"),
)
CUSTOMER_IMPORT_FINISHED = register(
    "customer.import_finished",
    _("An upload of customers was processed"),
    _("An upload of customers was processed: %(lines)s lines read, %(rejected)s rejected"),
)

# outcomes --------------------------------------------------------------------------------------
OUTCOME_RECORD = register(
    "outcome.record",
    _("%(actor)s recorded a customer's outcome"),
    _("%(actor)s recorded a customer's outcome on %(occurred_on)s"),
)
OUTCOME_CHECK = register("outcome.check", _("%(actor)s checked an outcome"))
OUTCOME_DISPUTE = register(
    "outcome.dispute",
    _("%(actor)s disputed an outcome"),
    _("%(actor)s disputed an outcome: %(note)s"),
)
OUTCOME_DECIDE = register("outcome.decide", _("%(actor)s decided a dispute about an outcome"))
OUTCOME_SAMPLE = register(
    "outcome.sample",
    _("%(actor)s drew a sample of outcomes to check"),
    _("%(actor)s drew a sample of %(size)s outcomes to check"),
)
OUTCOME_IMPORT = register(
    "outcome.import",
    _("%(actor)s imported outcomes"),
    _("%(actor)s imported %(recorded)s outcomes from %(source)s"),
)
REGISTER_EXTRACT_IMPORT = register(
    "register_extract.import",
    _("%(actor)s imported an extract of the earnings register"),
    _("%(actor)s imported an extract of the earnings register (%(rows)s rows)"),
)
KPI_DEFINITION_SAVE = register(
    "kpi_definition.save",
    _("%(actor)s saved a KPI definition"),
    _("%(actor)s saved the KPI definition %(code)s"),
)

# catalogue -------------------------------------------------------------------------------------
SERVICE_CREATE = register(
    "service.create",
    _("%(actor)s created a service"),
    _("%(actor)s created the service %(service)s"),
)
SERVICE_EDIT = register(
    "service.edit",
    _("%(actor)s edited a service"),
    _("%(actor)s edited version %(version)s of the service %(service)s"),
)
SERVICE_CHANNEL_ADD = register(
    "service.channel_add",
    _("%(actor)s added a service channel"),
    _("%(actor)s added a channel to the service %(service)s"),
)
SERVICE_CHANNEL_REMOVE = register(
    "service.channel_remove",
    _("%(actor)s removed a service channel"),
    _("%(actor)s removed a channel from the service %(service)s"),
)
SERVICE_SUBMIT = register(
    "service.submit",
    _("%(actor)s submitted a service for review"),
    _("%(actor)s submitted version %(version)s of the service %(service)s for review"),
)
SERVICE_RETURN = register(
    "service.return",
    _("%(actor)s returned a service to its authors"),
    _("%(actor)s returned the service %(service)s to its authors: %(reason)s"),
)
SERVICE_PUBLISH = register(
    "service.publish",
    _("%(actor)s published a service"),
    _("%(actor)s published version %(version)s of the service %(service)s"),
)
SERVICE_REVISE = register(
    "service.revise",
    _("%(actor)s started a new version of a service"),
    _("%(actor)s started version %(version)s of the service %(service)s"),
)
SERVICE_WITHDRAW = register(
    "service.withdraw",
    _("%(actor)s withdrew a service"),
    _("%(actor)s withdrew the service %(service)s: %(reason)s"),
)
SERVICE_WITHDRAW_LEFT = register(
    "service.withdraw_left",
    _("A service was withdrawn because its producer left"),
    _("The service %(service)s was withdrawn because its producer left"),
)
CATALOGUE_SETTINGS = register(
    "catalogue.settings", _("%(actor)s changed the settings of the service catalogue")
)
SERVICE_REQUEST_CREATE = register(
    "service_request.create",
    _("A service request was received"),
    _("A request about the service %(service)s was received"),
)
SERVICE_REQUEST_READ = register(
    "service_request.read",
    _("%(actor)s read a service request"),
    _("%(actor)s read a request about the service %(service)s"),
)
SERVICE_REQUEST_HANDLE = register(
    "service_request.handle",
    _("%(actor)s handled a service request"),
    _("%(actor)s handled a request about the service %(service)s"),
)
SERVICE_REQUEST_PURGE = register(
    "service_request.purge",
    _("Old service requests were deleted"),
    _("%(deleted)s old service requests were deleted"),
)

# referrals -------------------------------------------------------------------------------------
REFERRAL_CREATE = register(
    "referral.create",
    _("%(actor)s drafted a referral"),
    _("%(actor)s drafted the referral %(number)s"),
)
REFERRAL_SENT = register(
    "referral.sent", _("%(actor)s sent a referral"), _("%(actor)s sent the referral %(number)s")
)
REFERRAL_ACCEPTED = register(
    "referral.accepted",
    _("%(actor)s accepted a referral"),
    _("%(actor)s accepted the referral %(number)s"),
)
REFERRAL_REJECTED = register(
    "referral.rejected",
    _("%(actor)s rejected a referral"),
    _("%(actor)s rejected the referral %(number)s"),
)
REFERRAL_EXPIRED = register(
    "referral.expired",
    _("A referral expired"),
    _("The referral %(number)s expired"),
)
REFERRAL_REVOKED = register(
    "referral.revoked",
    _("%(actor)s revoked a referral"),
    _("%(actor)s revoked the referral %(number)s"),
)
REFERRAL_DECLINED = register(
    "referral.declined",
    _("%(actor)s recorded that the customer declined a referral"),
    _("%(actor)s recorded that the customer declined the referral %(number)s"),
)
REFERRAL_STARTED = register(
    "referral.started",
    _("%(actor)s recorded that a referred service started"),
    _("%(actor)s recorded that the service of the referral %(number)s started"),
)
REFERRAL_COMPLETED = register(
    "referral.completed",
    _("%(actor)s recorded that a referred service was completed"),
    _("%(actor)s recorded that the service of the referral %(number)s was completed"),
)
REFERRAL_INTERRUPTED = register(
    "referral.interrupted",
    _("%(actor)s recorded that a referred service was interrupted"),
    _("%(actor)s recorded that the service of the referral %(number)s was interrupted"),
)

# background work -------------------------------------------------------------------------------
TASK_REQUEUE = register(
    "task.requeue",
    _("A background task whose worker was lost was queued again"),
    _("The background task %(task)s was queued again: its worker %(worker)s was lost"),
)
TASK_GIVE_UP = register(
    "task.give_up",
    _("A background task was given up after its workers died"),
    _("The background task %(task)s was given up: %(claims)s workers died running it"),
)

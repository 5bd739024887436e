"""Short help for each page: one registry from the page's URL name (``namespace:name``) to a few
sentences and, where useful, the glossary term (:mod:`allianssi.home.glossary`) behind the page.
``base.html`` shows it through one include (``includes/page_help.html``), chosen by
``request.resolver_match``.

Every named URL is either in :data:`HELP` or in :data:`NOT_PAGES`, with the reason it has no
help of its own; ``tests/home/test_pagehelp.py`` fails for a new URL that is in neither, so a new
page cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PageHelp:
    text: Promise
    term: str = ""  # a glossary anchor (``glossary.TERMS``), or none


_ALLIANCES = PageHelp(
    _("The alliances you have a role in. Open one to see its parties, phase and pages."),
    "alliance",
)
_ALLIANCE_FORM = PageHelp(
    _(
        "The alliance's name, region, term and service areas. The project office keeps them up "
        "to date; the parties see them."
    ),
    "alliance",
)
_MEMBERS = PageHelp(
    _(
        "A party joins as an organizer or a producer. A party leaves by its exit right or, "
        "before the agreement binds, by removal; the reason is recorded."
    ),
    "exit-right",
)
_PROPOSAL = PageHelp(
    _(
        "A proposal is decided when no seat of the leadership group objects. Each seat votes "
        "once; a changed vote is recorded as a new one."
    ),
    "unanimous-decision",
)
_IDEAS = PageHelp(
    _(
        "Anyone in the alliance may suggest an improvement, support it and comment on it. The "
        "leadership group evaluates the ideas and follows what was done."
    ),
)
_MEETINGS = PageHelp(
    _(
        "The leadership group's meetings: the agenda, who attended and the minutes. Approved "
        "minutes are not changed; a mistake is corrected in a new version."
    ),
    "leadership-group",
)
_PROCUREMENT = PageHelp(
    _(
        "Choosing the producers: the procedure, the lots, the candidates, their scores and the "
        "award. The award is decided by the leadership group."
    ),
    "producer",
)
_STRATEGY = PageHelp(
    _(
        "In the strategy phase the organizers assess whether an alliance suits the services, "
        "and decide whether to go on to choosing the producers."
    ),
    "phase",
)
_BOOKS = PageHelp(
    _(
        "Every cost booked in the alliance, open to every party. Filter the entries, download "
        "them, or compare the costs with the budget."
    ),
    "open-books",
)
_ENTRY = PageHelp(
    _(
        "A cost is booked with its date, producer, organizer, service area, category and "
        "evidence. A booked entry is never edited: a mistake is corrected with a reversing entry."
    ),
    "cost-entry",
)
_IMPORT = PageHelp(
    _(
        "Upload many rows at once as CSV or XLSX. Start from the template on this page; the file "
        "is saved whole or not at all, and never twice."
    ),
)
_PLAN = PageHelp(
    _(
        "The budget and the staff time planned for each party. A change is a new revision with "
        "its reason; earlier revisions are kept."
    ),
    "target-cost",
)
_SETTLEMENT = PageHelp(
    _(
        "What each party is paid for a period under the commercial model: the costs, the fees, "
        "the shares of gain or pain and the results. Each party approves its own part."
    ),
    "settlement",
)
_TERMS = PageHelp(
    _(
        "The commercial model: the target cost, the fees, how gain and pain are shared and the "
        "results that are paid for. Each change is a new version."
    ),
    "gainshare",
)
_KPIS = PageHelp(
    _("The alliance's results against their baselines, minimums and targets."),
    "kpi",
)
_INVOICE = PageHelp(
    _("An invoice made from an approved settlement. Download it as a PDF or as an e-invoice."),
    "settlement",
)
_SERVICES = PageHelp(
    _(
        "The alliance's services. A service is written as a draft, reviewed and then published "
        "in the public service catalogue."
    ),
    "service-catalogue",
)
_SERVICE_FORM = PageHelp(
    _(
        "Describe the service as a person or a company reads it: who it is for, what it costs "
        "and how to reach it. A published service changes through a new version."
    ),
    "service-catalogue",
)
_REQUESTS = PageHelp(
    _(
        "Requests for a service that people and companies sent from the public catalogue. "
        "Answer each and mark it handled."
    ),
    "service-catalogue",
)
_CUSTOMERS = PageHelp(
    _(
        "Your organisation's customers in this alliance. Every look at a customer's data is "
        "logged; see only the customers you serve."
    ),
    "customer",
)
_CUSTOMER_IMPORT = PageHelp(
    _(
        "Bring your organizer's customers and their referral history from your previous system: "
        "check the file first, then import it. A file is imported whole or not at all."
    ),
    "customer",
)
_CUSTOMER = PageHelp(
    _(
        "The customer's data, consents, referrals and services. The identity code is shown only "
        "when you give the reason, and the look is logged."
    ),
    "customer",
)
_CUSTOMER_FORM = PageHelp(
    _(
        "Record only what serving the customer needs, with the legal basis: a statutory task or "
        "the customer's consent."
    ),
    "consent",
)
_REFERRALS = PageHelp(
    _(
        "Referrals to and from your organisation. A producer accepts or rejects a referral, "
        "starts the service and records how it ended."
    ),
    "referral",
)
_REFERRAL = PageHelp(
    _(
        "The referral's steps so far, and what may be done next. The customer's service is an "
        "episode from its start to its end."
    ),
    "episode",
)
_OUTCOMES = PageHelp(
    _(
        "The customers' outcomes, such as jobs found, reported by the producers and checked "
        "against registers and samples. They feed the results and the settlement."
    ),
    "outcome-event",
)
_CHECKS = PageHelp(
    _(
        "Reported outcomes are checked against a register extract or a random sample; a "
        "disputed outcome is decided by the alliance."
    ),
    "verification",
)
_KPI_FORM = PageHelp(
    _("How a result is measured: which outcomes count, for which customers and over what time."),
    "kpi",
)
_PEOPLE = PageHelp(
    _(
        "As a main user you invite your colleagues, deactivate those who no longer need "
        "Allianssi and name other main users."
    ),
    "main-user",
)

HELP: dict[str, PageHelp] = {
    "home:index": PageHelp(
        _("Your work waiting in every alliance, and what has happened since your last visit.")
    ),
    "notifications:list": PageHelp(
        _("Notifications of the changes that concern you. Choose in the settings what you get.")
    ),
    "notifications:settings": PageHelp(
        _("Choose which notifications you get in Allianssi and which also by e-mail.")
    ),
    "people:account": PageHelp(
        _("Your name, organisation and roles in each alliance. Change your password here.")
    ),
    "accounts:password_change": PageHelp(
        _("A password of at least 12 characters that you do not use elsewhere.")
    ),
    "people:people": _PEOPLE,
    "staffsignin:settings": PageHelp(
        _(
            "Your staff can sign in with their work accounts at your organisation's own "
            "identity provider. The client secret is stored encrypted and never shown again."
        ),
        "identity-provider",
    ),
    "parties:create": PageHelp(
        _("Register an organisation once; it can then join any alliance as a party."),
        "party",
    ),
    "api:tokens": PageHelp(
        _(
            "A token lets your organisation's system read and send data through the API. It is "
            "shown only once; revoke one you no longer need."
        ),
    ),
    "alliances:list": _ALLIANCES,
    "alliances:create": _ALLIANCE_FORM,
    "alliances:edit": _ALLIANCE_FORM,
    "alliances:detail": PageHelp(
        _(
            "The alliance's parties, phase and term, and the way to each of its pages. What you "
            "may do depends on your role."
        ),
        "alliance",
    ),
    "alliances:member_add": _MEMBERS,
    "alliances:member_exit": _MEMBERS,
    "alliances:member_remove": _MEMBERS,
    "alliances:phase": PageHelp(
        _("The alliance moves from one phase to the next; each change is recorded with its day."),
        "phase",
    ),
    "alliances:audit": PageHelp(
        _(
            "Every change to the alliance, newest first. Records are never changed; download a "
            "checkpoint to check later that none was removed."
        ),
        "audit-trail",
    ),
    "alliances:roles": PageHelp(
        _(
            "The project office grants the roles in the alliance; a role gives the rights to "
            "its pages."
        ),
        "project-office",
    ),
    "alliancesearch:search": PageHelp(
        _("Search the alliance's proposals, decisions, services, ideas and meetings by a word."),
    ),
    "compliance:page": PageHelp(
        _(
            "Checks of the alliance against the law: the separation of organizing and "
            "producing, public administrative tasks and competitive neutrality."
        ),
        "organizer",
    ),
    "governance:leadership": PageHelp(
        _("The leadership group has one seat for each party, with a representative and a deputy."),
        "leadership-group",
    ),
    "governance:seat": PageHelp(
        _("Name the representative and the deputy who hold your party's seat."),
        "leadership-group",
    ),
    "governance:proposal_new": _PROPOSAL,
    "governance:proposal": _PROPOSAL,
    "governance:decisions": PageHelp(
        _("The leadership group's decisions, numbered by year. Download them as a document."),
        "decision-register",
    ),
    "governance:ideas": _IDEAS,
    "governance:idea_new": _IDEAS,
    "governance:idea": _IDEAS,
    "governance:meetings": _MEETINGS,
    "governance:meeting_new": _MEETINGS,
    "governance:meeting": _MEETINGS,
    "procurement:strategy": _STRATEGY,
    "procurement:assessment": _STRATEGY,
    "procurement:go_new": _STRATEGY,
    "procurement:list": _PROCUREMENT,
    "procurement:new": _PROCUREMENT,
    "procurement:detail": _PROCUREMENT,
    "procurement:edit": _PROCUREMENT,
    "procurement:scores": PageHelp(
        _(
            "Score each candidate against the award criteria. An evaluator with a conflict of "
            "interest does not score."
        ),
        "producer",
    ),
    "procurement:award": _PROCUREMENT,
    "openbook:books": _BOOKS,
    "openbook:entry_new": _ENTRY,
    "openbook:entry_reverse": _ENTRY,
    "openbook:import": _IMPORT,
    "openbook:job": _IMPORT,
    "openbook:plan": _PLAN,
    "openbook:budget_correct": _PLAN,
    "openbook:staff_correct": _PLAN,
    "settlement:overview": _SETTLEMENT,
    "settlement:detail": _SETTLEMENT,
    "settlement:terms": _TERMS,
    "settlement:kpis": _KPIS,
    "settlement:billing": PageHelp(
        _("Your organisation's billing details for the invoices: e-invoicing address and terms."),
        "settlement",
    ),
    "settlement:invoice": _INVOICE,
    "catalogue:services": _SERVICES,
    "catalogue:service": _SERVICES,
    "catalogue:service_new": _SERVICE_FORM,
    "catalogue:service_edit": _SERVICE_FORM,
    "catalogue:channel_new": _SERVICE_FORM,
    "catalogue:requests": _REQUESTS,
    "catalogue:request": _REQUESTS,
    "customers:list": _CUSTOMERS,
    "customers:create": _CUSTOMER_FORM,
    "customers:edit": _CUSTOMER_FORM,
    "customers:settings": PageHelp(
        _("Your organisation's rules as the controller: how long customers' data is kept."),
        "customer",
    ),
    "customers:detail": _CUSTOMER,
    "customers:import": _CUSTOMER_IMPORT,
    "customers:import_job": _CUSTOMER_IMPORT,
    "customers:erase": PageHelp(
        _(
            "Erasing removes the customer's personal data for good; the statistics keep only "
            "what identifies nobody."
        ),
        "customer",
    ),
    "customers:export": PageHelp(
        _("All the data kept of the customer, to give them when they ask for it."),
        "customer",
    ),
    "customers:access": PageHelp(
        _("Who looked at the customer's data, when and why."),
        "customer",
    ),
    "referrals:queue": _REFERRALS,
    "referrals:outgoing": _REFERRALS,
    "referrals:create": _REFERRAL,
    "referrals:detail": _REFERRAL,
    "outcomes:index": _OUTCOMES,
    "outcomes:events": _OUTCOMES,
    "outcomes:event": _OUTCOMES,
    "outcomes:record_customer": _OUTCOMES,
    "outcomes:record_referral": _OUTCOMES,
    "outcomes:import": _IMPORT,
    "outcomes:disputes": _CHECKS,
    "outcomes:extracts": _CHECKS,
    "outcomes:samples": _CHECKS,
    "outcomes:sample": _CHECKS,
    "outcomes:definition_new": _KPI_FORM,
    "outcomes:definition_edit": _KPI_FORM,
    "outcomes:figures": _KPIS,
}

#: The named URLs that are not signed-in pages, by why they have no help of their own.
NOT_PAGES: dict[str, frozenset[str]] = {
    # Files, data and pictures: no page to show help on.
    "download": frozenset(
        {
            "openbook:csv",
            "openbook:xlsx",
            "openbook:chart",
            "openbook:import_template",
            "openbook:job_status",
            "outcomes:import_template",
            "outcomes:trajectory_chart",
            "outcomes:funnel_chart",
            "governance:decisions_document",
            "governance:minutes_document",
            "procurement:ocds",
            "settlement:kpi_chart",
            "settlement:document",
            "settlement:invoice_pdf",
            "settlement:invoice_xml",
            "customers:export_json",
            "customers:import_template",
            "customers:import_job_status",
            "audit:checkpoint",
            "audit:public_key",
        }
    ),
    # Posted actions (POST only): they go back to the page they were sent from.
    "action": frozenset(
        {
            "people:person_invite",
            "people:person_resend",
            "people:person_cancel",
            "people:person_deactivate",
            "people:person_reactivate",
            "people:person_main_grant",
            "people:person_main_revoke",
            "alliances:role_revoke",
            "api:token_revoke",
            "catalogue:settings",
            "catalogue:channel_remove",
            "catalogue:submit",
            "catalogue:publish",
            "catalogue:return",
            "catalogue:withdraw",
            "catalogue:revise",
            "catalogue:request_handle",
            "customers:reveal",
            "customers:consent_give",
            "customers:consent_withdraw",
            "notifications:read",
            "outcomes:dispute_raise",
            "outcomes:dispute_decide",
            "outcomes:sample_draw",
            "outcomes:sample_check",
            "referrals:send",
            "referrals:accept",
            "referrals:reject",
            "referrals:start",
            "referrals:complete",
            "referrals:interrupt",
            "referrals:revoke",
            "referrals:decline",
            "staffsignin:switch",
            "compliance:assignment_add",
            "compliance:assignment_end",
            "compliance:document_register",
            "compliance:market_declare",
            "compliance:market_end",
            "governance:idea_comment",
            "governance:idea_decline",
            "governance:idea_evaluate",
            "governance:idea_implementation",
            "governance:idea_propose",
            "governance:idea_support",
            "governance:meeting_approve",
            "governance:meeting_attendance",
            "governance:meeting_minutes",
            "governance:proposal_delegate",
            "governance:proposal_open",
            "governance:proposal_vote",
            "openbook:plan_budget",
            "openbook:plan_staff",
            "procurement:award_criteria_set",
            "procurement:cancel",
            "procurement:candidate_add",
            "procurement:candidate_exclude",
            "procurement:conflict_declare",
            "procurement:criterion_add",
            "procurement:evaluator_add",
            "procurement:result_set",
            "procurement:round_add",
            "procurement:scores_save",
            "settlement:approve",
            "settlement:billing_set",
            "settlement:compute",
            "settlement:kpi_enter",
            "settlement:submit",
            "settlement:terms_edit",
            "settlement:terms_json",
        }
    ),
    # The language switch in every page's header: it goes back to the page.
    "language": frozenset({"set_language"}),
    # Signing in and out, and the pages before it: they explain themselves.
    "sign-in": frozenset(
        {
            "accounts:login",
            "accounts:logout",
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
            "accounts:invitation_accept",
            "staffsignin:start",
            "staffsignin:begin",
            "staffsignin:callback",
        }
    ),
}


def is_public(name: str) -> bool:
    """Pages for everyone, or for a person signed in with Suomi.fi (not a user of staff):
    the public catalogue, the person's own pages, the person's identification, the glossary and
    the imports' format guides."""
    namespace, _sep, view = name.partition(":")
    return (
        (namespace == "catalogue" and view.startswith("public_"))
        or (namespace == "customers" and view.startswith("mine_"))
        or namespace == "identification"
        or name in ("home:glossary", "home:format_guide")
    )


def is_api(name: str) -> bool:
    """The machine interface, JSON for other systems (the tokens page is a page, above)."""
    return name.startswith("api:") and name not in {"api:tokens", "api:token_revoke"}


def help_for(name: str) -> PageHelp | None:
    """The help of the page whose URL name is ``name`` (``namespace:name``), if it has one."""
    return HELP.get(name)

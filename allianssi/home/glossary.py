"""The glossary in the app (``home:glossary``): the domain's words as the pages use them, in the
reader's language. The terms follow ``docs/glossary.md``, whose Finnish and Swedish columns the
translations use. Each term has a fixed anchor (its ``slug``), so that a page's help
(:mod:`allianssi.home.pagehelp`) can link to it in any language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    slug: str
    term: Promise
    definition: Promise


@dataclass(frozen=True)
class Section:
    title: Promise
    terms: tuple[Term, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        _("The alliance and its parties"),
        (
            Term(
                "alliance",
                _("growth-services alliance"),
                _(
                    "An agreement in which organizers and producers of growth services plan, "
                    "produce and develop the services together and share their risks and "
                    "benefits. It creates no legal person and changes no party's statutory duties."
                ),
            ),
            Term(
                "party",
                _("party"),
                _("An organisation that is a member of an alliance: an organizer or a producer."),
            ),
            Term(
                "organizer",
                _("organizer"),
                _(
                    "A municipality, a joint body or a region that is responsible by law for "
                    "organizing the services and pays for them."
                ),
            ),
            Term(
                "producer",
                _("producer"),
                _("A company or an association that produces services in the alliance."),
            ),
            Term(
                "own-production-unit",
                _("own production unit"),
                _("An organizer's own unit that produces services beside the external producers."),
            ),
            Term(
                "service-area",
                _("service area"),
                _(
                    "A field of services that the alliance covers, such as employment services, "
                    "business services or municipal vitality."
                ),
            ),
            Term(
                "business-id",
                _("business ID"),
                _("The identifier of a Finnish company or association, such as 1234567-8."),
            ),
            Term(
                "phase",
                _("phase"),
                _(
                    "The stage of the alliance's life: strategy, formation, development, "
                    "implementation and ended. What may be done depends on the phase."
                ),
            ),
            Term(
                "exit-right",
                _("exit right"),
                _("A party's right to leave the alliance in the phases the agreement allows."),
            ),
        ),
    ),
    Section(
        _("People and roles"),
        (
            Term(
                "main-user",
                _("main user"),
                _(
                    "A user who looks after the people of their own organisation: invites "
                    "colleagues, deactivates them and sets the organisation's sign-in provider."
                ),
            ),
            Term(
                "project-office",
                _("project office"),
                _(
                    "The alliance's managers, who run its everyday work and grant the roles in "
                    "the alliance."
                ),
            ),
            Term(
                "leadership-group",
                _("leadership group"),
                _(
                    "The alliance's joint decision-making body, with one seat for each party. It "
                    "decides unanimously."
                ),
            ),
            Term(
                "customer-advisor",
                _("customer advisor"),
                _("An organizer's employee who serves customers and refers them to services."),
            ),
            Term(
                "observer",
                _("observer"),
                _("A role that may read the alliance's information but change nothing."),
            ),
            Term(
                "identity-provider",
                _("identity provider"),
                _(
                    "An organisation's own sign-in service (OpenID Connect), through which its "
                    "staff can sign in to Allianssi with their work accounts."
                ),
            ),
        ),
    ),
    Section(
        _("Decisions"),
        (
            Term(
                "unanimous-decision",
                _("unanimous decision"),
                _(
                    "A proposal is decided when no seat objects to it. One objection blocks it, "
                    "and the matter goes on along the alliance's escalation path."
                ),
            ),
            Term(
                "proposal",
                _("proposal"),
                _("A matter put to the leadership group, with the alternatives to vote on."),
            ),
            Term(
                "decision-register",
                _("decision register"),
                _("The list of the leadership group's decisions, numbered by year."),
            ),
        ),
    ),
    Section(
        _("Money"),
        (
            Term(
                "open-books",
                _("open books"),
                _("Every party sees every cost booked in the alliance."),
            ),
            Term(
                "cost-entry",
                _("cost entry"),
                _(
                    "One cost in the open books, with its date, producer, organizer, service "
                    "area, category, amount and evidence. A mistake is corrected with a reversing "
                    "entry; an entry is never edited."
                ),
            ),
            Term(
                "target-cost",
                _("target cost"),
                _("The cost agreed in advance; the outturn cost is compared with it."),
            ),
            Term(
                "gainshare",
                _("gainshare and painshare"),
                _(
                    "How the difference between the target cost and the outturn cost is shared "
                    "between the organizers and the producers."
                ),
            ),
            Term(
                "settlement",
                _("settlement"),
                _(
                    "The calculation, under the agreed commercial model, of what each party is "
                    "paid for a period: an interim or a final settlement."
                ),
            ),
            Term(
                "kpi",
                _("key performance indicator (KPI)"),
                _(
                    "A measured result with a baseline, a minimum and a target. The results "
                    "affect the settlement."
                ),
            ),
        ),
    ),
    Section(
        _("Services and customers"),
        (
            Term(
                "service-catalogue",
                _("service catalogue"),
                _(
                    "The alliance's services as people and companies see them. A service is "
                    "published after it has been reviewed."
                ),
            ),
            Term(
                "customer",
                _("customer"),
                _(
                    "A person or a company that the alliance serves, recorded by one organizer, "
                    "which is the controller of the customer's data."
                ),
            ),
            Term(
                "consent",
                _("consent"),
                _(
                    "A customer's permission to process their data for a stated purpose. It can "
                    "be withdrawn at any time."
                ),
            ),
            Term(
                "referral",
                _("referral"),
                _("A request that a producer serve a customer in one of the alliance's services."),
            ),
            Term(
                "episode",
                _("episode of service"),
                _("The time during which a producer serves a customer after a referral."),
            ),
        ),
    ),
    Section(
        _("Outcomes"),
        (
            Term(
                "outcome-event",
                _("outcome event"),
                _(
                    "A customer's outcome, such as a job found, with its date, its source and "
                    "its evidence."
                ),
            ),
            Term(
                "verification",
                _("verification"),
                _(
                    "Checking the reported outcomes against a register extract or a random "
                    "sample. A disputed outcome is decided by the alliance."
                ),
            ),
        ),
    ),
    Section(
        _("Audit trail"),
        (
            Term(
                "audit-trail",
                _("audit trail"),
                _(
                    "Every change in Allianssi as a record that is never changed. Each record "
                    "carries the hash of the one before it, so tampering can be detected."
                ),
            ),
            Term(
                "checkpoint",
                _("checkpoint"),
                _(
                    "The number and the hash of the trail's latest record, kept outside the "
                    "database, so that the trail can be checked later."
                ),
            ),
        ),
    ),
)

#: Every term by its anchor.
TERMS: dict[str, Term] = {term.slug: term for section in SECTIONS for term in section.terms}

"""Does a customer meet a service's eligibility rules? Pure: the facts in, reasons in words out.

The rules are the service version's data (``catalogue.ServiceVersion``): persons and/or
companies, an age range, residence in the municipalities served, job-seeker registration, the
company's size and age. What the rules cannot say ("other conditions") is the producer's to
judge when it answers the referral.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from allianssi.catalogue.models import Jobseeker


@dataclass(frozen=True)
class Facts:
    """What is known of the customer that the rules read."""

    kind: str  # "person" or "company"
    age: int | None = None
    municipality: str = ""  # Statistics Finland code of residence or domicile
    jobseeker: bool = False
    employees: int | None = None
    registered_on: dt.date | None = None


@dataclass(frozen=True)
class Rules:
    for_persons: bool
    for_companies: bool
    municipalities: tuple[str, ...]
    min_age: int | None = None
    max_age: int | None = None
    residence_required: bool = False
    jobseeker: str = Jobseeker.ANY
    company_max_employees: int | None = None
    company_max_age_years: int | None = None


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def mismatches(rules: Rules, facts: Facts, today: dt.date) -> list[str]:
    """Every rule the customer does not meet, each explained in a sentence; empty if eligible."""
    reasons: list[str] = []
    if facts.kind == "person" and not rules.for_persons:
        reasons.append(_("The service is for companies, not for persons."))
    if facts.kind == "company" and not rules.for_companies:
        reasons.append(_("The service is for persons, not for companies."))
    if facts.kind == "person" and facts.age is not None:
        if rules.min_age is not None and facts.age < rules.min_age:
            reasons.append(
                _("The service is for people aged %(min)s or over; the customer is %(age)s.")
                % {"min": rules.min_age, "age": facts.age}
            )
        if rules.max_age is not None and facts.age > rules.max_age:
            reasons.append(
                _("The service is for people aged %(max)s or under; the customer is %(age)s.")
                % {"max": rules.max_age, "age": facts.age}
            )
    if rules.residence_required:
        if not facts.municipality:
            reasons.append(
                _(
                    "The service is only for residents of its municipalities, and the customer's "
                    "municipality is not recorded."
                )
            )
        elif facts.municipality not in rules.municipalities:
            reasons.append(
                _(
                    "The service is only for residents of the municipalities it serves, and the "
                    "customer lives elsewhere."
                )
            )
    if facts.kind == "person":
        if rules.jobseeker == Jobseeker.REGISTERED and not facts.jobseeker:
            reasons.append(_("The service is for people registered as job-seekers."))
        if rules.jobseeker == Jobseeker.NOT_REGISTERED and facts.jobseeker:
            reasons.append(_("The service is for people not registered as job-seekers."))
    if facts.kind == "company":
        limit = rules.company_max_employees
        if limit is not None:
            if facts.employees is None:
                reasons.append(
                    _(
                        "The service is for companies of at most %(limit)s employees, and the "
                        "company's size is not recorded."
                    )
                    % {"limit": limit}
                )
            elif facts.employees > limit:
                reasons.append(
                    _(
                        "The service is for companies of at most %(limit)s employees; the company "
                        "has %(count)s."
                    )
                    % {"limit": limit, "count": facts.employees}
                )
        years = rules.company_max_age_years
        if years is not None:
            if facts.registered_on is None:
                reasons.append(
                    _(
                        "The service is for companies registered at most %(years)s years ago, and "
                        "the company's registration date is not recorded."
                    )
                    % {"years": years}
                )
            elif _years_between(facts.registered_on, today) > years:
                reasons.append(
                    _("The service is for companies registered at most %(years)s years ago.")
                    % {"years": years}
                )
    return reasons

"""The eligibility rules, as a pure function: every mismatch explained in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from allianssi.referrals.eligibility import Facts, Rules, mismatches


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are compared in English, the language they are written in."""
    with translation.override("en"):
        yield


TODAY = dt.date(2026, 12, 6)
RULES = Rules(for_persons=True, for_companies=False, municipalities=("837", "536"))


def test_an_eligible_person_meets_every_rule():
    rules = Rules(
        for_persons=True,
        for_companies=False,
        municipalities=("837",),
        min_age=18,
        max_age=64,
        residence_required=True,
        jobseeker="registered",
    )
    facts = Facts(kind="person", age=46, municipality="837", jobseeker=True)
    assert mismatches(rules, facts, TODAY) == []


def test_each_mismatch_has_its_sentence():
    rules = Rules(
        for_persons=True,
        for_companies=False,
        municipalities=("837",),
        min_age=18,
        max_age=29,
        residence_required=True,
        jobseeker="registered",
    )
    young = mismatches(rules, Facts(kind="person", age=16, municipality="837"), TODAY)
    assert young == [
        "The service is for people aged 18 or over; the customer is 16.",
        "The service is for people registered as job-seekers.",
    ]
    old = mismatches(rules, Facts(kind="person", age=30, municipality="091", jobseeker=True), TODAY)
    assert old == [
        "The service is for people aged 29 or under; the customer is 30.",
        "The service is only for residents of the municipalities it serves, and the customer "
        "lives elsewhere.",
    ]
    unknown = mismatches(rules, Facts(kind="person", age=20, jobseeker=True), TODAY)
    assert "municipality is not recorded" in unknown[0]
    rules_not = Rules(
        for_persons=True, for_companies=True, municipalities=(), jobseeker="not_registered"
    )
    assert mismatches(rules_not, Facts(kind="person", jobseeker=True), TODAY) == [
        "The service is for people not registered as job-seekers."
    ]


def test_persons_and_companies():
    assert mismatches(RULES, Facts(kind="company"), TODAY) == [
        "The service is for persons, not for companies."
    ]
    for_companies = Rules(for_persons=False, for_companies=True, municipalities=())
    assert mismatches(for_companies, Facts(kind="person", age=30), TODAY) == [
        "The service is for companies, not for persons."
    ]


def test_a_companys_size_and_age():
    rules = Rules(
        for_persons=False,
        for_companies=True,
        municipalities=(),
        company_max_employees=49,
        company_max_age_years=3,
    )
    fits = Facts(kind="company", employees=49, registered_on=dt.date(2023, 12, 6))
    assert mismatches(rules, fits, TODAY) == []
    too_big = Facts(kind="company", employees=50, registered_on=dt.date(2022, 12, 5))
    assert mismatches(rules, too_big, TODAY) == [
        "The service is for companies of at most 49 employees; the company has 50.",
        "The service is for companies registered at most 3 years ago.",
    ]
    unknown = mismatches(rules, Facts(kind="company"), TODAY)
    assert len(unknown) == 2
    assert all("not recorded" in reason for reason in unknown)

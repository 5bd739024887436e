from __future__ import annotations

import itertools

import factory

from allianssi.parties.models import Organisation, OrganisationKind

_numbers = itertools.count(1_000_000)


def valid_business_id() -> str:
    """A fresh Y-tunnus with a correct check digit (weights 7 9 10 5 8 4 2, modulo 11)."""
    while True:
        base = f"{next(_numbers):07d}"
        remainder = sum(int(c) * w for c, w in zip(base, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if remainder == 1:
            continue
        return f"{base}-{0 if remainder == 0 else 11 - remainder}"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Tuottaja {n} Oy")
    business_id = factory.LazyFunction(valid_business_id)

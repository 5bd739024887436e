"""The catalogue's world: Pirkanmaa's alliance delivering services, its organizing
responsibilities recorded, and a way to make a service's input with a few fields changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.catalogue.models import ChannelKind, ServiceVersion
from allianssi.catalogue.services import (
    ChannelInput,
    ServiceInput,
    catalogue_settings_update,
    service_channel_add,
    service_create,
    service_publish,
    service_submit,
)
from allianssi.compliance.models import Task
from allianssi.compliance.services import assignment_add
from tests.conftest import World


def service_input(world: World, **changes: Any) -> ServiceInput:
    base = ServiceInput(
        service_area=ServiceArea.EMPLOYMENT,
        name_fi="Työnhakuvalmennus",
        name_sv="Jobbsökarträning",
        name_en="Job-search coaching",
        summary_fi="Valmennusta työnhakuun ja työhaastatteluihin.",
        summary_sv="Träning i jobbsökning och anställningsintervjuer.",
        summary_en="Coaching for job search and interviews.",
        description_fi="Valmentaja auttaa laatimaan hakemuksen ja harjoittelemaan haastattelua.",
        responsible_ids=[world.org["tampere"].pk],
        producer_ids=[world.org["producer"].pk],
        municipalities=["837", "536"],
        target_groups=["KR1"],
        service_classes=["P10.1"],
    )
    return replace(base, **changes)


def channel_input(**changes: Any) -> ChannelInput:
    base = ChannelInput(
        kind=ChannelKind.LOCATION,
        name_fi="Työpolun toimipiste",
        street="Hämeenkatu 1",
        postal_code="33100",
        municipality_code="837",
        languages=["fi", "en"],
        hours=[{"day": 1, "opens": "08:00", "closes": "16:00"}],
    )
    return replace(base, **changes)


@pytest.fixture
def delivering(world: World) -> World:
    """The alliance in implementation, with Tampere organizing employment services and the
    region business services, and its catalogue public."""
    return deliver(world, Phase.IMPLEMENTATION)


def deliver(world: World, phase: str) -> World:
    world.to_phase(phase)
    manager = world.users["manager"]
    for key, area in [("tampere", ServiceArea.EMPLOYMENT), ("region", ServiceArea.BUSINESS)]:
        assignment_add(
            actor=manager,
            alliance=world.alliance,
            organisation=world.org[key],
            service_area=area,
            task=Task.ORGANIZING,
        )
    catalogue_settings_update(
        actor=manager, alliance=world.alliance, public=True, request_retention_days=90
    )
    return world


def published(world: World, author: str = "producer_staff", **changes: Any) -> ServiceVersion:
    """A service drafted by ``author`` (the producer's staff) and published by the project
    office."""
    version = service_create(
        actor=world.users[author],
        alliance=world.alliance,
        data=service_input(world, **changes),
    )
    service_channel_add(actor=world.users[author], version=version, data=channel_input())
    service_submit(actor=world.users[author], version=version)
    return service_publish(actor=world.users["manager"], version=version)

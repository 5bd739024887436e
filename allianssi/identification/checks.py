"""System checks: the test identification never reaches production, and a configured Suomi.fi
sign-in has its files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from allianssi.identification import saml


@register(Tags.security, deploy=True)
def check_test_identification_off(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` is how a deployment is checked: the test identification must be off."""
    if settings.ALLIANSSI_TEST_IDENTIFICATION:
        return [
            Error(
                "ALLIANSSI_TEST_IDENTIFICATION is on: anyone could sign in as anyone.",
                hint="It is for development and the tests only; production settings turn it off.",
                id="identification.E001",
            )
        ]
    return []


@register()
def check_test_identification_codes(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.ALLIANSSI_TEST_IDENTIFICATION and not settings.ALLIANSSI_ALLOW_TEST_HETU:
        return [
            Error(
                "ALLIANSSI_TEST_IDENTIFICATION is on but ALLIANSSI_ALLOW_TEST_HETU is off.",
                hint="The test identification signs in only 900-series test codes; turn it off.",
                id="identification.E002",
            )
        ]
    return []


@register()
def check_saml_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(f"Suomi.fi identification is misconfigured: {problem}", id="identification.E003")
        for problem in saml.problems()
    ]

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi.notifications.kinds import KINDS, groups
from allianssi.notifications.models import Delivery


class SettingsForm(forms.Form):
    """One choice per kind of notification (named by the kind's code), and the e-mail language.
    A kind left out keeps its setting."""

    language = forms.ChoiceField(label=_("Language of e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in KINDS.values():  # in the language of the request the form is made in
            self.fields[kind.code] = forms.ChoiceField(
                label=str(kind.label), choices=Delivery.choices, required=False
            )

    def groups(self) -> list[tuple[Promise, list[BoundField]]]:
        """The kinds' fields under their groups' labels, for the page's fieldsets."""
        return [(label, [self[k.code] for k in kinds]) for label, kinds in groups()]

    def deliveries(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in KINDS if self.cleaned_data.get(code)}

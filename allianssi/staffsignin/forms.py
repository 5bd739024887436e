"""The form of an organisation's sign-in provider, filled in by its main user."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.staffsignin.models import IdentityProvider

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


class ProviderForm(forms.Form):
    issuer = forms.CharField(
        label=_("Issuer or discovery address"),
        max_length=500,
        help_text=_(
            "The provider's issuer, https://…, or its discovery document’s address ending in "
            "/.well-known/openid-configuration."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains of your staff"),
        max_length=2000,
        help_text=_("Separated by commas, for example organisation.fi, unit.organisation.fi."),
    )
    enabled = forms.BooleanField(label=_("Staff may sign in through this provider"), required=False)

    def __init__(self, *args: object, provider: IdentityProvider | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        secret = self.fields["client_secret"]
        if provider is None:
            secret.help_text = _("Required. It is stored encrypted and never shown again.")
            self.initial.setdefault("enabled", True)
        else:
            secret.help_text = _(
                "A secret is saved; it is never shown. Leave the field empty to keep it, or "
                "give a new one to replace it."
            )
            self.initial.update(
                {
                    "issuer": provider.issuer,
                    "client_id": provider.client_id,
                    "email_domains": ", ".join(d.domain for d in provider.email_domains.all()),
                    "enabled": provider.enabled,
                }
            )

    def clean_issuer(self) -> str:
        value = str(self.cleaned_data["issuer"]).strip()
        if value.endswith(DISCOVERY_SUFFIX):
            value = value[: -len(DISCOVERY_SUFFIX)]
        return value

    def domains(self) -> list[str]:
        return list(str(self.cleaned_data["email_domains"]).split(","))


class SwitchForm(forms.Form):
    """Switch sign-in through the provider on or off, keeping its settings."""

    state = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput)

"""Procurement reference data: thresholds as dated settings, updatable without code."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ThresholdSetting(models.Model):
    scope = models.CharField(
        _("scope"), max_length=10, choices=[("national", _("National")), ("eu", _("EU"))]
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=[
            ("services", _("Goods and services")),
            ("social_health", _("Social and health services")),
            ("other_specific", _("Other specific services")),
        ],
    )
    amount = models.DecimalField(_("threshold (€, without VAT)"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["scope", "category", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "category", "valid_from"], name="threshold_unique_start"
            ),
            models.CheckConstraint(
                name="threshold_dates_ordered",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
            models.CheckConstraint(name="threshold_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.category} {self.amount} from {self.valid_from}"

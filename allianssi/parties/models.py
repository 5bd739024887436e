"""Parties: the real organisations an alliance is made of, and the reference data they rest on.

Regions and municipalities are Statistics Finland's classifications, loaded from
``allianssi/parties/data/`` (see ``import_municipalities``). An :class:`Organisation` is a party:
a region, a municipality, a joint body of municipalities (Kuntalaki 51 §) with a host municipality,
a company or association with a Y-tunnus, or an own production unit of exactly one organizer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    BILINGUAL = "fi+sv", _("Finnish and Swedish")
    SWEDISH = "sv", _("Swedish")


class _Named(models.Model):
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    classification_year = models.PositiveSmallIntegerField(_("classification year"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the request: Swedish for Swedish, else Finnish."""
        return self.name_sv if (get_language() or "fi").startswith("sv") else self.name_fi


class Region(_Named):
    """A maakunta, by its Statistics Finland code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=5, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Municipality(_Named):
    """A kunta, by its Statistics Finland code."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    languages = models.CharField(_("languages"), max_length=5, choices=Language.choices)

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Municipality")
    JOINT_BODY = "joint_body", _("Joint body of municipalities")
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association")
    OWN_UNIT = "own_unit", _("Own production unit")


#: Kinds that can organize (purchase) services in an alliance.
ORGANIZER_KINDS = frozenset(
    {OrganisationKind.REGION, OrganisationKind.MUNICIPALITY, OrganisationKind.JOINT_BODY}
)
#: Kinds that are external producers and carry a Y-tunnus.
PRODUCER_KINDS = frozenset({OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION})


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID (Y-tunnus)"), max_length=9, blank=True, default=""
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("region"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    host = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_joint_bodies",
        verbose_name=_("host municipality"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_units",
        verbose_name=_("organizer of the unit"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_region_iff_kind_region",
                condition=Q(kind="region", region__isnull=False)
                | (~Q(kind="region") & Q(region__isnull=True)),
                violation_error_message=_("A region organisation names exactly its region."),
            ),
            models.CheckConstraint(
                name="organisation_municipality_iff_kind_municipality",
                condition=Q(kind="municipality", municipality__isnull=False)
                | (~Q(kind="municipality") & Q(municipality__isnull=True)),
                violation_error_message=_(
                    "A municipality organisation names exactly its municipality."
                ),
            ),
            models.CheckConstraint(
                name="organisation_host_iff_joint_body",
                condition=Q(kind="joint_body", host__isnull=False)
                | (~Q(kind="joint_body") & Q(host__isnull=True)),
                violation_error_message=_("A joint body has a host municipality."),
            ),
            models.CheckConstraint(
                name="organisation_parent_iff_own_unit",
                condition=Q(kind="own_unit", parent__isnull=False)
                | (~Q(kind="own_unit") & Q(parent__isnull=True)),
                violation_error_message=_("An own production unit belongs to one organizer."),
            ),
            models.CheckConstraint(
                name="organisation_producer_has_business_id",
                condition=~Q(kind__in=["company", "association"]) | ~Q(business_id=""),
                violation_error_message=_("A company or association has a Y-tunnus."),
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="region"),
                name="organisation_one_per_region",
                violation_error_message=_("That region is already a party."),
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(kind="municipality"),
                name="organisation_one_per_municipality",
                violation_error_message=_("That municipality is already a party."),
            ),
            models.UniqueConstraint(
                fields=["business_id"],
                condition=Q(kind__in=["company", "association"]),
                name="organisation_unique_producer_business_id",
                violation_error_message=_("A party with that Y-tunnus already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organizer_kind(self) -> bool:
        return self.kind in ORGANIZER_KINDS

    @property
    def is_producer_kind(self) -> bool:
        return self.kind in PRODUCER_KINDS


class JointBodyMember(models.Model):
    """A municipality on whose behalf a joint body acts (Kuntalaki 51 §)."""

    joint_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="joint_body_memberships",
        verbose_name=_("joint body"),
    )
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="member_of_joint_bodies",
        verbose_name=_("member municipality"),
    )

    class Meta:
        verbose_name = _("joint body member")
        verbose_name_plural = _("joint body members")
        constraints = [
            models.UniqueConstraint(
                fields=["joint_body", "municipality"],
                name="joint_body_member_unique",
                violation_error_message=_("That municipality is already a member."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} ∈ {self.joint_body}"

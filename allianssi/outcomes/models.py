"""What became of the customers: outcome events, their verification, and KPIs defined as data.

An :class:`OutcomeEvent` is one thing that happened to one organizer's customer (employed,
started training, started a business; for a company, hired, grew, exported), attributed to the
episodes of service it follows. Reported by a producer or confirmed by the customer, it is a
**claim** until verified: against a register extract the organizer imports
(:class:`RegisterExtract`, monthly earnings per person matched by the keyed pseudonym, kept as
:class:`Earnings` of the organizer's customers only), or, where no register tells, by a hand
check of a reproducible random sample (:class:`SampleDraw`). A contradicted claim can be disputed
and decided (:class:`Dispute`).

A :class:`KpiDefinition` says how a KPI is computed from these (its cohort, outcome and measure);
it is registered as a settlement KPI source (``outcomes:<code>``). The database computes it
from :class:`FollowUp`, one row per ended episode (the cohort) with its earnings 3, 6 and 12
months after its end, and :class:`FirstOutcome`, one row per episode and outcome type holding
the first claimed and the first verified event on or after the episode's start; both kept up to
date incrementally by every write that changes events, ends or earnings, and both carrying
their episode's cohort columns (:class:`_Cohort`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance
from allianssi.catalogue.models import Service
from allianssi.customers.models import Customer, CustomerKind
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Episode


class OutcomeType(models.Model):
    """A kind of outcome, as data: the types are a table, with their names in three languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("for"), max_length=10, choices=CustomerKind.choices)
    name_fi = models.CharField(_("name in Finnish"), max_length=120)
    name_sv = models.CharField(_("name in Swedish"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)
    #: A paid job: a claim of it can be checked against monthly earnings in a register extract.
    employment = models.BooleanField(_("paid employment"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_fi)


class Source(models.TextChoices):
    PRODUCER = "producer", _("Reported by the producer")
    CUSTOMER = "customer", _("Confirmed by the customer")
    REGISTER = "register", _("Verified from a register")


class Status(models.TextChoices):
    CLAIMED = "claimed", _("Claimed, not yet verified")
    VERIFIED = "verified", _("Verified")
    CONTRADICTED = "contradicted", _("Contradicted")
    NO_DATA = "no_data", _("No register data")
    DISPUTED = "disputed", _("Disputed")


class Via(models.TextChoices):
    WEB = "web", _("By hand")
    API = "api", _("Through the API")
    IMPORT = "import", _("From a file")


class EventImport(models.Model):
    """One imported file of outcome events: recorded once, so the same file never lands twice."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("file"), max_length=200)
    digest = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"))

    class Meta:
        ordering = ["alliance", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "reporter", "digest"], name="outcome_import_once"
            )
        ]

    def __str__(self) -> str:
        return self.source


# The references of the events, their attributions and the KPI tables (``db_constraint=False``)
# are checked by the code that writes them and guarded by ``on_delete`` in the ORM, not by
# database constraints: each constraint cost every imported row a check (on PostgreSQL at the
# commit, where they were most of an import's time), and nothing they point to is deleted. A
# reference without an index of its own (``db_index=False``) begins another index, or only
# deleting what it points to (a type, a user, an extract) would read by it (ADR 0016).
class OutcomeEvent(models.Model):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="outcome_events",
        db_constraint=False,
        db_index=False,
    )
    type = models.ForeignKey(
        OutcomeType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outcome"),
        db_constraint=False,
        db_index=False,
    )
    occurred_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    #: The party that reported it: a producer, or the customer's organizer (indexed: the API
    #: lists a reporter's events by it).
    reporter = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
        db_constraint=False,
    )
    #: The producer paid for it, if outcomes are priced: the one whose episode began last
    #: before the event among those it is attributed to (``services.attribute``).
    producer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    episodes = models.ManyToManyField(
        Episode, related_name="outcome_events", blank=True, db_constraint=False
    )
    #: The reporter's own identifier of the event: the same one is never recorded twice.
    external_id = models.CharField(_("identifier in your system"), max_length=100, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    #: Not indexed: ``kpis.claims_recorded`` reads an import's events by their ids' range, and
    #: nothing else asks for a batch's events (an import is never deleted; ADR 0032).
    batch = models.ForeignKey(
        EventImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("recorded"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CLAIMED
    )
    #: How the status was reached: the extract that decided it, or the sample check.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    extract = models.ForeignKey(
        "RegisterExtract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    check_note = models.CharField(_("verification"), max_length=300, blank=True)

    class Meta:
        ordering = ["alliance", "-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["customer", "type", "occurred_on"], name="outcome_by_customer"),
            models.Index(fields=["alliance", "status", "occurred_on"], name="outcome_by_status"),
            models.Index(fields=["producer", "occurred_on"], name="outcome_by_producer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "reporter", "external_id"],
                condition=~Q(external_id=""),
                name="outcome_event_once",
                violation_error_message=_("An event with this identifier has been recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_id} {self.occurred_on}"


class Dispute(AllianceKeyed):
    """A producer disputes a contradicted claim; an organizer decides it."""

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the outcome stands as verified")
        DISMISSED = "dismissed", _("Dismissed: the claim stays contradicted")

    alliance_parent = "event"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    event = models.ForeignKey(OutcomeEvent, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("disputed"))
    reason = models.TextField(_("why the register is wrong"))
    evidence = models.CharField(_("evidence"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        ordering = ["event", "raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(decision=""), name="outcome_dispute_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.decision or 'open'}"


class RegisterExtract(models.Model):
    """One extract an organizer received from a register (the Incomes Register's monthly
    earnings per person), for the months from ``first_month`` to ``last_month``. The file is
    never kept: each row's henkilötunnus is turned into the keyed pseudonym as it is read, and
    only the earnings of the organizer's own customers are kept."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    register = models.CharField(_("register"), max_length=40, default="tulorekisteri")
    source = models.CharField(_("file"), max_length=200)
    digest = models.CharField(max_length=64)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    rows = models.PositiveIntegerField(_("rows"))
    matched = models.PositiveIntegerField(_("persons matched"))
    unmatched = models.PositiveIntegerField(_("persons not our customers"))
    #: The monthly earnings (cents) at or above which a claim of employment is verified.
    threshold_cents = models.PositiveIntegerField(_("earnings that verify employment (cents)"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"))

    class Meta:
        ordering = ["alliance", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organizer", "digest"], name="register_extract_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class Earnings(AllianceKeyed):
    """A customer's earnings in one month, as an extract gave them (0 where the extract names
    the person but not the month: it covers the person's whole period)."""

    alliance_parent = "extract"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    extract = models.ForeignKey(RegisterExtract, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "extract"], name="earnings_once_by_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}"


class SampleDraw(models.Model):
    """A random sample of claims checked by hand where no register tells: the seed is kept, so
    anyone can draw the same sample again from the same claims."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField(_("seed"))
    size = models.PositiveIntegerField(_("sample size"))
    population = models.PositiveIntegerField(_("claims to draw from"))
    claims_until = models.DateField(_("claims up to"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"))
    events = models.ManyToManyField(OutcomeEvent, related_name="+")

    class Meta:
        ordering = ["alliance", "-drawn_at"]

    def __str__(self) -> str:
        return f"{self.seed}: {self.size}/{self.population}"


class Scope(models.TextChoices):
    ALLIANCE = "alliance", _("The whole alliance")
    ORGANIZER = "organizer", _("One organizer's customers")
    PRODUCER = "producer", _("One producer's episodes")
    SERVICE = "service", _("One service's episodes")


class Measure(models.TextChoices):
    SHARE = "share", _("Share of the cohort reaching the outcome (%)")
    COUNT = "count", _("Number of customers reaching the outcome")
    MEDIAN_DAYS = "median_days", _("Median days from the start of service to the outcome")


class Evidence(models.TextChoices):
    VERIFIED = "verified", _("Verified outcomes only")
    CLAIMED = "claimed", _("Claims not contradicted")


class KpiDefinition(models.Model):
    """How one KPI is computed: its cohort, its outcome and its measure.

    **Cohort**: the customers whose episode (of the scope: the whole alliance, an organizer's
    customers, a producer's or a service's episodes) ended in the period. **Outcome**: an event
    of one of ``types`` on or after the episode's start and at most ``within_days`` after its
    end; or, with ``employed_months`` (3, 6 or 12), earnings of at least ``threshold_cents`` in
    the month that many months after the episode's end, from the register. **Measure**: the
    share (per cent) or the number of the cohort reaching it, or the median days from the start
    of service to it."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    scope = models.CharField(_("cohort"), max_length=10, choices=Scope.choices)
    organizer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    producer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    types = models.ManyToManyField(OutcomeType, related_name="+", blank=True)
    within_days = models.PositiveSmallIntegerField(_("days after the end"), default=90)
    employed_months = models.PositiveSmallIntegerField(
        _("still employed after months"), null=True, blank=True
    )
    threshold_cents = models.PositiveIntegerField(
        _("earnings threshold a month (cents)"), default=0
    )
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    evidence = models.CharField(
        _("outcomes counted"), max_length=10, choices=Evidence.choices, default=Evidence.VERIFIED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["alliance", "code"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "code"], name="kpi_definition_code"),
            models.CheckConstraint(
                name="kpi_definition_employed_months",
                condition=Q(employed_months__isnull=True) | Q(employed_months__in=[3, 6, 12]),
            ),
            models.CheckConstraint(
                name="kpi_definition_scope_named",
                condition=Q(scope="alliance", organizer=None, producer=None, service=None)
                | Q(scope="organizer", producer=None, service=None) & ~Q(organizer=None)
                | Q(scope="producer", organizer=None, service=None) & ~Q(producer=None)
                | Q(scope="service", organizer=None, producer=None) & ~Q(service=None),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_fi)

    @property
    def source_name(self) -> str:
        return f"outcomes:{self.code}"


class _Cohort(models.Model):
    """The columns of an episode (and its customer's organizer) that a KPI counts by, copied
    into both KPI tables so that a KPI reads one table in the order of its index, with no join
    (ADR 0015). An episode's alliance, producer, service, start and customer never change; its
    end is stamped by ``kpis.episode_ended``."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    producer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    organizer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True)

    class Meta:
        abstract = True


class FirstOutcome(_Cohort):
    """For one episode and one outcome type: the first claim not contradicted, and the first
    verified event, on or after the episode's start. Rebuilt for a customer whenever the
    customer's events or their statuses change (``kpis.refresh``)."""

    # ``episode`` begins the unique index, ``customer`` an index of its own (``Meta``).
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    type = models.ForeignKey(
        OutcomeType, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    claimed_on = models.DateField(null=True)
    verified_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "type"], name="first_outcome_once")
        ]
        indexes = [
            models.Index(fields=["customer"], name="first_outcome_customer"),
            # A KPI reads its period's rows in the customers' order from the index alone.
            models.Index(
                fields=[
                    "alliance", "customer", "ended_on", "type", "producer", "service",
                    "organizer", "started_on", "claimed_on", "verified_on",
                ],
                name="first_outcome_kpi",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.episode_id}/{self.type_id}"


class FollowUp(_Cohort):
    """An ended episode — one row each, the KPIs' cohort — and its earnings in the month 3, 6
    and 12 months after its end, as the organizer's register extracts give them (``None``: no
    extract covers that month)."""

    episode = models.OneToOneField(
        Episode, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    cents_3 = models.BigIntegerField(null=True)
    cents_6 = models.BigIntegerField(null=True)
    cents_12 = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer"], name="follow_up_customer"),
            models.Index(
                fields=[
                    "alliance", "customer", "ended_on", "producer", "service", "organizer",
                    "cents_3", "cents_6", "cents_12",
                ],
                name="follow_up_kpi",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.episode_id)

"""The service catalogue of the demo alliance: what Pirkanmaa's alliance offers the people and
companies it serves in 2026, in Finnish, Swedish and English.

Every producer and the own production unit draft their services, the responsible organizers or
the project office review and publish them, and the public asks for them. The story is written
through the services only, on its own dates (the loader's ``replay``): the catalogue opens in March
2026; a summer service is withdrawn in September; in November one service gets its next version,
one draft is returned with the reviewer's reason and three wait for review; and the last days'
requests wait in the organizers' queues, one of them handled.

A service's responsible organizers are those of the municipalities it serves for employment and
vitality services (each organizes those for its own people), and the region for business
services: the organizing responsibilities the demo records (``_division_of_tasks``).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.catalogue.models import (
    LANGUAGES,
    ChannelKind,
    CustomerType,
    Jobseeker,
    Service,
    ServiceRequest,
    ServiceVersion,
)
from allianssi.catalogue.services import (
    ChannelInput,
    RequestInput,
    ServiceInput,
    catalogue_settings_update,
    service_channel_add,
    service_create,
    service_draft_update,
    service_publish,
    service_request_create,
    service_request_handle,
    service_return,
    service_revise,
    service_submit,
    service_withdraw,
)
from allianssi.parties.models import Organisation

#: ``replay(day)``: inside, the clock reads that day (``allianssi.demo.common.replay``).
Replay = Callable[[str], AbstractContextManager[None]]
#: A text in Finnish, Swedish and English.
Texts = tuple[str, str, str]

TAMPERE, NOKIA, YLOJARVI, KANGASALA, LEMPAALA = "837", "536", "980", "211", "418"
MANTTA, RUOVESI, VIRRAT = "508", "702", "936"
#: The alliance's member municipalities, directly or through the Ylä-Pirkanmaa joint body.
MEMBERS = (TAMPERE, NOKIA, YLOJARVI, KANGASALA, LEMPAALA, MANTTA, RUOVESI, VIRRAT)
#: The organizer that organizes employment and vitality services for each municipality's people.
ORGANIZER_OF = {
    TAMPERE: "tampere",
    NOKIA: "nokia",
    YLOJARVI: "ylojarvi",
    KANGASALA: "kangasala",
    LEMPAALA: "lempaala",
    MANTTA: "ylapirkanmaa",
    RUOVESI: "ylapirkanmaa",
    VIRRAT: "ylapirkanmaa",
}

EMPLOYMENT, BUSINESS, VITALITY = ServiceArea.EMPLOYMENT, ServiceArea.BUSINESS, ServiceArea.VITALITY
OFFICE = "projektitoimisto"


def _t(fi: str, sv: str, en: str) -> Texts:
    """Three texts, each on one line however it is wrapped here."""
    return (" ".join(fi.split()), " ".join(sv.split()), " ".join(en.split()))


def _fields(**texts: Texts) -> dict[str, Any]:
    """``name=(fi, sv, en)`` as ``{"name_fi": …, "name_sv": …, "name_en": …}``."""
    return {
        f"{key}_{language}": text
        for key, triple in texts.items()
        for language, text in zip(LANGUAGES, triple, strict=True)
    }


def _hours(opens: str, closes: str, days: Sequence[int] = (1, 2, 3, 4, 5)) -> list[dict[str, Any]]:
    return [{"day": day, "opens": opens, "closes": closes} for day in days]


def _location(
    name: Texts,
    *,
    street: str,
    postal_code: str,
    municipality: str,
    hours: list[dict[str, Any]],
    accessibility: Texts,
    languages: Sequence[str] = ("fi", "en"),
    email: str = "",
) -> ChannelInput:
    return ChannelInput(
        kind=ChannelKind.LOCATION,
        languages=languages,
        street=street,
        postal_code=postal_code,
        municipality_code=municipality,
        hours=hours,
        email=email,
        **_fields(name=name, accessibility=accessibility),
    )


def _phone(
    name: Texts,
    number: str,
    hours: list[dict[str, Any]],
    languages: Sequence[str] = ("fi", "en"),
) -> ChannelInput:
    return ChannelInput(
        kind=ChannelKind.PHONE, languages=languages, phone=number, hours=hours, **_fields(name=name)
    )


WEB_PAGE = _t("Palvelun verkkosivu", "Tjänstens webbsida", "The service's web page")


def _web(
    url: str,
    name: Texts = WEB_PAGE,
    *,
    kind: str = ChannelKind.WEB_PAGE,
    languages: Sequence[str] = ("fi", "sv", "en"),
    email: str = "",
) -> ChannelInput:
    return ChannelInput(kind=kind, languages=languages, url=url, email=email, **_fields(name=name))


def _e_service(
    url: str, name: Texts, languages: Sequence[str] = ("fi", "sv", "en")
) -> ChannelInput:
    return _web(url, name, kind=ChannelKind.E_SERVICE, languages=languages)


# Where and how to reach the parties ------------------------------------------------------------

TYOPOLKU_TAMPERE = _location(
    _t(
        "Työpolun palvelupiste, Tampere",
        "Työpolkus servicepunkt, Tammerfors",
        "Työpolku service point, Tampere",
    ),
    street="Hämeenkatu 13 B",
    postal_code="33100",
    municipality=TAMPERE,
    hours=[*_hours("08:00", "16:00", (1, 2, 3, 4)), *_hours("08:00", "14:00", (5,))],
    email="tampere@tyopolku.example.fi",
    accessibility=_t(
        "Esteetön sisäänkäynti Hämeenkadulta ja hissi toiseen kerrokseen. Neuvontapisteessä on "
        "induktiosilmukka.",
        "Tillgänglig ingång från Hämeenkatu och hiss till andra våningen. Vid informationsdisken "
        "finns en hörslinga.",
        "Step-free entrance from Hämeenkatu and a lift to the second floor. The information desk "
        "has an induction loop.",
    ),
)
TYOPOLKU_NOKIA = _location(
    _t("Työpolun toimipiste, Nokia", "Työpolkus kontor i Nokia", "Työpolku office, Nokia"),
    street="Välikatu 18",
    postal_code="37100",
    municipality=NOKIA,
    hours=_hours("09:00", "15:00", (2, 4)),
    languages=("fi",),
    accessibility=_t(
        "Katutason sisäänkäynti ilman portaita. Liikkumisesteisten pysäköintipaikka rakennuksen "
        "edessä.",
        "Ingång i gatunivå utan trappor. Parkeringsplats för personer med funktionsnedsättning "
        "framför byggnaden.",
        "Street-level entrance without steps. Accessible parking space in front of the building.",
    ),
)
TYOPOLKU_PHONE = _phone(
    _t("Työpolun valmentajat", "Työpolkus coacher", "Työpolku's coaches"),
    "+358 3 4150 2200",
    _hours("09:00", "15:00"),
)
TYOPOLKU_EMPLOYERS = _phone(
    _t(
        "Työpolun rekrytointipalvelu",
        "Työpolkus rekryteringstjänst",
        "Työpolku recruitment service",
    ),
    "+358 3 4150 2250",
    _hours("08:00", "16:00"),
)

OSAAJAT_TAMPERE = _location(
    _t(
        "Osaajat Töihin -talo, Tampere",
        "Osaajat Töihin-huset, Tammerfors",
        "Osaajat Töihin house, Tampere",
    ),
    street="Satakunnankatu 18 A",
    postal_code="33210",
    municipality=TAMPERE,
    hours=[*_hours("08:30", "16:00", (1, 2, 3, 4)), *_hours("08:30", "15:00", (5,))],
    languages=("fi", "en", "ar", "so", "uk"),
    email="info@osaajat.example.fi",
    accessibility=_t(
        "Sisäänkäynti sisäpihalta luiskaa pitkin. Talossa on hissi ja esteetön wc. "
        "Opetustiloissa on induktiosilmukka.",
        "Ingång från innergården längs en ramp. Huset har hiss och tillgänglig toalett. "
        "Undervisningsutrymmena har hörslinga.",
        "Entrance from the inner courtyard via a ramp. The building has a lift and an accessible "
        "toilet. The teaching rooms have an induction loop.",
    ),
)
OSAAJAT_YLOJARVI = _location(
    _t("Nuorten työpaja, Ylöjärvi", "Verkstaden för unga, Ylöjärvi", "Youth workshop, Ylöjärvi"),
    street="Mikkolantie 10",
    postal_code="33470",
    municipality=YLOJARVI,
    hours=_hours("08:00", "15:00"),
    languages=("fi",),
    accessibility=_t(
        "Pajatilat ovat yhdessä kerroksessa ilman kynnyksiä. Puutyöpajassa on kova melu; "
        "kuulosuojaimia saa lainaksi.",
        "Verkstadslokalerna ligger på ett plan utan trösklar. I träverkstaden är bullret högt; "
        "hörselskydd finns att låna.",
        "The workshop rooms are on one floor without thresholds. The woodwork shop is noisy; ear "
        "defenders can be borrowed.",
    ),
)
OSAAJAT_KANGASALA = _location(
    _t(
        "Osaajat Töihin, Kangasalan kohtaamispaikka",
        "Osaajat Töihin, mötesplatsen i Kangasala",
        "Osaajat Töihin meeting place, Kangasala",
    ),
    street="Kauppatie 8",
    postal_code="36200",
    municipality=KANGASALA,
    hours=_hours("09:00", "12:00", (3,)),
    languages=("fi",),
    accessibility=_t(
        "Tilat ovat katutasossa; sisäänkäynti ja wc ovat esteettömät.",
        "Lokalerna ligger i gatunivå; ingången och toaletten är tillgängliga.",
        "The premises are at street level, with a step-free entrance and an accessible toilet.",
    ),
)
OSAAJAT_LEMPAALA = _location(
    _t(
        "Osaajat Töihin, Lempäälän kohtaamispaikka",
        "Osaajat Töihin, mötesplatsen i Lembois",
        "Osaajat Töihin meeting place, Lempäälä",
    ),
    street="Koulukuja 4",
    postal_code="37500",
    municipality=LEMPAALA,
    hours=_hours("09:00", "12:00", (4,)),
    languages=("fi",),
    accessibility=_t(
        "Pääovella on kolme porrasta ja kaide. Pyörätuolilla pääsee sisään takaovesta: soita "
        "ovikelloa.",
        "Vid huvuddörren finns tre trappsteg och ledstång. Med rullstol kommer man in genom "
        "bakdörren: ring på dörrklockan.",
        "There are three steps with a handrail at the main door. Wheelchair users can come in "
        "through the back door: please ring the bell.",
    ),
)
OSAAJAT_MANTTA = _location(
    _t("Osaajat Töihin, Mänttä", "Osaajat Töihin, Mänttä", "Osaajat Töihin, Mänttä"),
    street="Seppälänkatu 15",
    postal_code="35800",
    municipality=MANTTA,
    hours=_hours("09:00", "15:00", (1, 2, 3, 4)),
    languages=("fi",),
    accessibility=_t(
        "Esteetön sisäänkäynti pääovesta. Koulutustilat ovat katutasossa.",
        "Tillgänglig ingång genom huvuddörren. Utbildningslokalerna ligger på bottenvåningen.",
        "Step-free main entrance. The training rooms are on the ground floor.",
    ),
)
OSAAJAT_NOKIA = _location(
    _t("Osaajat Töihin, Nokia", "Osaajat Töihin, Nokia", "Osaajat Töihin, Nokia"),
    street="Pirkkalaistie 1",
    postal_code="37100",
    municipality=NOKIA,
    hours=[],
    languages=("fi",),
    accessibility=_t(
        "Hissi kolmanteen kerrokseen.",
        "Hiss till tredje våningen.",
        "A lift to the third floor.",
    ),
)
OSAAJAT_PHONE = _phone(
    _t("Osaajat Töihin -neuvonta", "Osaajat Töihin, rådgivning", "Osaajat Töihin advice line"),
    "+358 3 3142 5500",
    _hours("09:00", "15:00"),
)

OWN_TAMPERE = _location(
    _t(
        "Tampereen työllisyyspalvelujen asiakaspalvelu",
        "Tammerfors stads sysselsättningstjänster, kundtjänst",
        "City of Tampere employment services, customer service",
    ),
    street="Tullikatu 6",
    postal_code="33100",
    municipality=TAMPERE,
    hours=[*_hours("09:00", "16:00", (1, 2, 3, 4)), *_hours("09:00", "15:00", (5,))],
    languages=("fi", "sv", "en", "ru", "ar", "uk"),
    accessibility=_t(
        "Esteetön sisäänkäynti Tullikadulta automaattiovesta. Asiakaspalvelussa on "
        "induktiosilmukka ja esteetön wc, ja asioida voi myös tulkin välityksellä.",
        "Tillgänglig ingång från Tullikatu genom en automatisk dörr. Kundtjänsten har hörslinga "
        "och tillgänglig toalett, och du kan också uträtta ärenden via tolk.",
        "Step-free entrance from Tullikatu through an automatic door. Customer service has an "
        "induction loop and an accessible toilet, and you can also use an interpreter.",
    ),
)
OWN_PHONE = _phone(
    _t(
        "Työllisyyspalvelujen neuvonta",
        "Sysselsättningstjänsternas rådgivning",
        "Employment services helpline",
    ),
    "+358 3 5656 4000",
    _hours("09:00", "16:00"),
    ("fi", "sv", "en"),
)
OWN_EMPLOYERS = _phone(
    _t(
        "Työnantajapalvelujen neuvonta", "Rådgivning för arbetsgivare", "Employer services helpline"
    ),
    "+358 3 5656 4100",
    _hours("09:00", "15:00"),
)
OHJAAMO = _location(
    _t("Ohjaamo Tampere", "Navigatorn i Tammerfors", "Ohjaamo Tampere"),
    street="Aleksanterinkatu 23",
    postal_code="33100",
    municipality=TAMPERE,
    hours=[*_hours("10:00", "16:00", (1, 2, 3, 4)), *_hours("10:00", "14:00", (5,))],
    languages=("fi", "sv", "en"),
    email="ohjaamo@tampere.example.fi",
    accessibility=_t(
        "Sisäänkäynti katutasosta, ja tilat ovat yhdessä kerroksessa. Hiljaisen huoneen voi "
        "varata keskustelua varten.",
        "Ingång i gatunivå, och lokalerna ligger på ett plan. Ett tyst rum kan bokas för samtal.",
        "Street-level entrance, with all premises on one floor. A quiet room can be booked for a "
        "talk.",
    ),
)

KASVUVOIMA_ACCESS = _t(
    "Sisäänkäynti Åkerlundinkadulta, hissi neljänteen kerrokseen. Neuvotteluhuoneissa on "
    "induktiosilmukka.",
    "Ingång från Åkerlundinkatu, hiss till fjärde våningen. Mötesrummen har hörslinga.",
    "Entrance from Åkerlundinkatu, lift to the fourth floor. The meeting rooms have an "
    "induction loop.",
)
KASVUVOIMA_TAMPERE = _location(
    _t(
        "Kasvuvoiman yrityspalvelut, Tampere",
        "Kasvuvoimas företagstjänster, Tammerfors",
        "Kasvuvoima business services, Tampere",
    ),
    street="Åkerlundinkatu 8",
    postal_code="33100",
    municipality=TAMPERE,
    hours=_hours("08:30", "16:00"),
    languages=("fi", "sv", "en"),
    email="yrityspalvelut@kasvuvoima.example.fi",
    accessibility=KASVUVOIMA_ACCESS,
)
KASVUVOIMA_PHONE = _phone(
    _t(
        "Yritysneuvonnan puhelinpalvelu",
        "Företagsrådgivningens telefontjänst",
        "Business advice by phone",
    ),
    "+358 3 2135 8800",
    _hours("09:00", "16:00"),
    ("fi", "sv", "en"),
)
KASVUVOIMA_BOOKING = _e_service(
    "https://kasvuvoima.example.fi/ajanvaraus",
    _t(
        "Ajanvaraus yritysneuvojalle",
        "Tidsbokning till företagsrådgivare",
        "Book a business adviser",
    ),
)

YRITYSKEHITYS_HERVANTA = _location(
    _t(
        "Pirkan Yrityskehitys, Hervanta",
        "Pirkan Yrityskehitys, Hervanta",
        "Pirkan Yrityskehitys, Hervanta",
    ),
    street="Hermiankatu 6",
    postal_code="33720",
    municipality=TAMPERE,
    hours=_hours("08:00", "16:00"),
    email="palvelut@yrityskehitys.example.fi",
    accessibility=_t(
        "Esteetön pääsisäänkäynti ja hissi. Liikkumisesteisten pysäköintipaikat ovat pääoven "
        "vieressä.",
        "Tillgänglig huvudingång och hiss. Parkeringsplatserna för personer med "
        "funktionsnedsättning ligger bredvid huvuddörren.",
        "Step-free main entrance and a lift. Accessible parking spaces are next to the main door.",
    ),
)
YRITYSKEHITYS_LEMPAALA = _location(
    _t(
        "Lempäälän yrityspalvelupiste",
        "Företagsservicepunkten i Lembois",
        "Lempäälä business service point",
    ),
    street="Ideaparkinkatu 4",
    postal_code="37570",
    municipality=LEMPAALA,
    hours=_hours("09:00", "15:00", (2, 3, 4)),
    accessibility=_t(
        "Sisäänkäynti pysäköintialueen puolelta. Tilat ovat katutasossa.",
        "Ingång från parkeringsplatsen. Lokalerna ligger i gatunivå.",
        "Entrance from the car park. The premises are at street level.",
    ),
)
YRITYSKEHITYS_PHONE = _phone(
    _t(
        "Pirkan Yrityskehityksen asiakaspalvelu",
        "Pirkan Yrityskehitys kundtjänst",
        "Pirkan Yrityskehitys customer service",
    ),
    "+358 3 2604 7700",
    _hours("09:00", "15:00"),
)


# The services ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    """One service of the demo and its story: drafted (and sent to review) on ``drafted``,
    published on ``published`` (or left waiting for review), and what happens to it later."""

    key: str
    producer: str  # the producing party's key
    drafter: str  # who drafts it and sends it to review
    reviewer: str  # who publishes, returns or withdraws it
    area: str
    municipalities: tuple[str, ...]
    name: Texts
    summary: Texts
    description: Texts
    instructions: Texts
    channels: tuple[ChannelInput, ...]
    drafted: str
    published: str | None = None
    target_groups: tuple[str, ...] = ("KR1",)
    service_classes: tuple[str, ...] = ()
    conditions: Texts = ("", "", "")
    charge: Texts | None = None
    #: Other fields of :class:`ServiceInput`: who it is for, eligibility, capacity, validity.
    terms: Mapping[str, Any] = field(default_factory=dict)
    #: (day, reason) the reviewer returned the draft.
    returned: tuple[str, str] | None = None
    #: (day, reason) the service was withdrawn.
    withdrawn: tuple[str, str] | None = None
    #: (day, changes) the next version was started and edited.
    revised: tuple[str, Mapping[str, Any]] | None = None

    def data(self, org: Mapping[str, Organisation]) -> ServiceInput:
        if self.area == BUSINESS:
            responsible = ["region"]
        else:
            responsible = sorted({ORGANIZER_OF[code] for code in self.municipalities})
        return ServiceInput(
            service_area=self.area,
            responsible_ids=[org[key].pk for key in responsible],
            producer_ids=[org[self.producer].pk],
            municipalities=list(self.municipalities),
            target_groups=list(self.target_groups),
            service_classes=list(self.service_classes),
            chargeable=self.charge is not None,
            **_fields(
                name=self.name,
                summary=self.summary,
                description=self.description,
                instructions=self.instructions,
                conditions=self.conditions,
                charge=self.charge or ("", "", ""),
            ),
            **self.terms,
        )


FOR_COMPANIES = {"for_persons": False, "for_companies": True}
FOR_BOTH = {"for_persons": True, "for_companies": True}
LAUNCH = "2026-03-02"  # the catalogue opens to the public

SERVICES: tuple[_Service, ...] = (
    # Työpolku Oy: employment services, drafted by its own staff ------------------------------
    _Service(
        key="job_search_coaching",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA, YLOJARVI),
        name=_t("Työnhakuvalmennus", "Jobbsökarcoachning", "Job-search coaching"),
        summary=_t(
            """Henkilökohtaista ja ryhmävalmennusta työnhakuun: hakemukset, CV, LinkedIn-profiili
            ja työhaastatteluun valmistautuminen.""",
            """Individuell coachning och gruppcoachning i jobbsökning: ansökningar, cv,
            LinkedIn-profil och förberedelser inför anställningsintervjun.""",
            """One-to-one and group coaching for your job search: applications, CV, LinkedIn
            profile and preparing for job interviews.""",
        ),
        description=_t(
            """Työnhakuvalmennuksessa kartoitat osaamisesi ja vahvuutesi yhdessä valmentajan kanssa
            ja teet itsellesi työnhakusuunnitelman. Valmennus kestää 6–8 viikkoa, ja siihen kuuluu
            henkilökohtaisia tapaamisia ja pienryhmätyöskentelyä. Harjoittelemme työhaastattelua,
            päivitämme CV:n ja hakemukset ja etsimme piilotyöpaikkoja ottamalla yhteyttä suoraan
            työnantajiin. Valmentaja pitää yhteyttä myös työnantajiin ja voi suositella sinua
            avoimiin tehtäviin.""",
            """I jobbsökarcoachningen kartlägger du din kompetens och dina styrkor tillsammans med
            en coach och gör upp en plan för ditt jobbsökande. Coachningen pågår 6–8 veckor och
            består av individuella möten och arbete i små grupper. Vi övar inför
            anställningsintervjun, uppdaterar ditt cv och dina ansökningar och letar efter dolda
            jobb genom att kontakta arbetsgivare direkt. Coachen håller också kontakt med
            arbetsgivare och kan rekommendera dig för lediga jobb.""",
            """In job-search coaching you map your skills and strengths with a coach and draw up a
            plan for your job search. The coaching lasts 6–8 weeks and combines one-to-one meetings
            with small-group work. We practise job interviews, update your CV and applications, and
            look for unadvertised jobs by contacting employers directly. Your coach also keeps in
            touch with employers and can recommend you for open positions.""",
        ),
        instructions=_t(
            """Ilmoittaudu valmennukseen oman työllisyyspalvelujen asiantuntijasi kautta tai jätä
            yhteydenottopyyntö. Valmentaja soittaa sinulle viikon kuluessa ja sopii ensimmäisen
            tapaamisen.""",
            """Anmäl dig till coachningen via din sakkunniga vid sysselsättningstjänsterna eller
            lämna en kontaktbegäran. Coachen ringer dig inom en vecka och bokar det första
            mötet.""",
            """Sign up through your employment services specialist or leave a contact request. A
            coach will call you within a week to arrange your first meeting.""",
        ),
        conditions=_t(
            """Valmennus on tarkoitettu työnhakijoiksi ilmoittautuneille, joiden
            työllistymissuunnitelmaan se on kirjattu.""",
            """Coachningen är avsedd för anmälda arbetssökande som har den inskriven i sin
            sysselsättningsplan.""",
            "The coaching is for registered job-seekers whose employment plan includes it.",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1", "P10.2"),
        terms={
            "min_age": 18,
            "jobseeker": Jobseeker.REGISTERED,
            "capacity_per_month": 120,
            "valid_from": dt.date(2026, 3, 2),
        },
        channels=(
            TYOPOLKU_TAMPERE,
            TYOPOLKU_NOKIA,
            _web("https://tyopolku.example.fi/tyonhakuvalmennus"),
        ),
        drafted="2026-02-09",
        published=LAUNCH,
        revised=(
            "2026-11-23",
            {
                "capacity_per_month": 150,
                **_fields(
                    description=_t(
                        """Työnhakuvalmennuksessa kartoitat osaamisesi ja vahvuutesi yhdessä
                        valmentajan kanssa ja teet itsellesi työnhakusuunnitelman. Valmennus kestää
                        6–8 viikkoa, ja siihen kuuluu henkilökohtaisia tapaamisia ja
                        pienryhmätyöskentelyä. Harjoittelemme työhaastattelua, päivitämme CV:n ja
                        hakemukset ja etsimme piilotyöpaikkoja ottamalla yhteyttä suoraan
                        työnantajiin. Valmentaja pitää yhteyttä myös työnantajiin ja voi suositella
                        sinua avoimiin tehtäviin. Tammikuusta 2027 alkaen valmennusryhmiä on myös
                        iltaisin torstaisin klo 17–19 työssä käyville ja opiskelijoille.""",
                        """I jobbsökarcoachningen kartlägger du din kompetens och dina styrkor
                        tillsammans med en coach och gör upp en plan för ditt jobbsökande.
                        Coachningen pågår 6–8 veckor och består av individuella möten och arbete i
                        små grupper. Vi övar inför anställningsintervjun, uppdaterar ditt cv och
                        dina ansökningar och letar efter dolda jobb genom att kontakta arbetsgivare
                        direkt. Coachen håller också kontakt med arbetsgivare och kan rekommendera
                        dig för lediga jobb. Från och med januari 2027 finns det också kvällsgrupper
                        på torsdagar kl. 17–19 för dig som arbetar eller studerar.""",
                        """In job-search coaching you map your skills and strengths with a coach and
                        draw up a plan for your job search. The coaching lasts 6–8 weeks and
                        combines one-to-one meetings with small-group work. We practise job
                        interviews, update your CV and applications, and look for unadvertised jobs
                        by contacting employers directly. Your coach also keeps in touch with
                        employers and can recommend you for open positions. From January 2027 there
                        are also evening groups on Thursdays from 5 to 7 pm for people who work or
                        study.""",
                    )
                ),
            },
        ),
    ),
    _Service(
        key="job_coaching",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer="controller.nokia",
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA),
        name=_t(
            "Työhönvalmennus osatyökykyisille",
            "Arbetscoachning för personer med partiell arbetsförmåga",
            "Job coaching for people with partial work ability",
        ),
        summary=_t(
            """Työhönvalmentaja auttaa löytämään sopivan työpaikan ja tukee sinua ja työnantajaa
            työn alkuvaiheessa.""",
            """En arbetscoach hjälper dig att hitta en lämplig arbetsplats och stöder både dig och
            arbetsgivaren i början av anställningen.""",
            """A job coach helps you find a suitable workplace and supports both you and your
            employer when you start the job.""",
        ),
        description=_t(
            """Työhönvalmennus on tarkoitettu sinulle, jonka työllistymistä vaikeuttaa vamma,
            sairaus tai muu syy ja joka tarvitset tukea työpaikan löytämiseen ja siellä
            pärjäämiseen. Valmentaja kartoittaa kanssasi sopivat tehtävät, etsii työnantajan ja
            sopii tarvittavista työjärjestelyistä. Työn alettua valmentaja käy työpaikalla, opastaa
            työtehtävissä ja neuvoo työnantajaa esimerkiksi palkkatuen ja työolosuhteiden
            järjestelytuen hakemisessa. Tuki kestää tavallisesti 3–6 kuukautta.""",
            """Arbetscoachningen är avsedd för dig vars möjligheter att få arbete försvåras av en
            funktionsnedsättning, en sjukdom eller någon annan orsak och som behöver stöd för att
            hitta en arbetsplats och klara dig där. Coachen kartlägger lämpliga uppgifter
            tillsammans med dig, söker en arbetsgivare och kommer överens om nödvändiga
            arrangemang på arbetsplatsen. När arbetet har börjat besöker coachen arbetsplatsen,
            handleder dig i arbetsuppgifterna och ger arbetsgivaren råd till exempel om att ansöka
            om lönesubvention och stöd för arrangemang av arbetsförhållandena. Stödet pågår vanligen
            3–6 månader.""",
            """Job coaching is for you if a disability, an illness or another reason makes it
            harder to find work and you need support to find a job and cope in it. The coach maps
            suitable tasks with you, finds an employer and agrees on the adjustments needed at
            work. Once you have started, the coach visits the workplace, guides you in your tasks
            and advises the employer, for example on applying for pay subsidy and for support for
            adjusting working conditions. The support usually lasts 3–6 months.""",
        ),
        instructions=_t(
            """Keskustele työhönvalmennuksesta oman asiantuntijasi kanssa työllisyyspalveluissa;
            hän tekee lähetteen. Voit myös soittaa valmentajille ja kysyä lisää.""",
            """Diskutera arbetscoachningen med din sakkunniga vid sysselsättningstjänsterna; hen
            gör en remiss. Du kan också ringa coacherna och fråga mer.""",
            """Talk about job coaching with your specialist at the employment services, who will
            refer you. You can also call the coaches to ask more.""",
        ),
        target_groups=("KR1", "KR1.4", "KR1.6"),
        service_classes=("P10.4", "P10.7"),
        terms={"min_age": 18, "jobseeker": Jobseeker.REGISTERED, "capacity_per_month": 40},
        channels=(TYOPOLKU_TAMPERE, TYOPOLKU_PHONE),
        drafted="2026-02-09",
        published=LAUNCH,
    ),
    _Service(
        key="online_coaching",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=MEMBERS,
        name=_t(
            "Työnhaun verkkovalmennus", "Webbcoachning för jobbsökare", "Online job-search coaching"
        ),
        summary=_t(
            """Omaan tahtiin etenevä verkkovalmennus työnhakuun: videot, tehtävät ja valmentajan
            palaute chatissa arkisin.""",
            """Webbcoachning i jobbsökning i egen takt: videor, uppgifter och respons från en coach
            i chatten på vardagar.""",
            """Self-paced online coaching for your job search: videos, exercises and feedback from
            a coach by chat on weekdays.""",
        ),
        description=_t(
            """Verkkovalmennus sopii sinulle, joka haluat kehittää työnhakuasi omaan tahtiisi ja
            missä tahansa. Valmennuksessa on kuusi osiota: oman osaamisen tunnistaminen,
            työpaikkojen etsiminen, CV, työhakemus, video- ja etähaastattelut sekä verkostot.
            Jokaisen osion jälkeen voit lähettää tehtävän valmentajalle ja saat henkilökohtaisen
            palautteen kahden arkipäivän kuluessa. Valmentaja päivystää chatissa arkisin klo 9–15.
            Valmennus on saatavilla suomeksi, ruotsiksi ja englanniksi.""",
            """Webbcoachningen passar dig som vill utveckla ditt jobbsökande i egen takt och var du
            än befinner dig. Coachningen består av sex delar: att identifiera din kompetens, att
            hitta lediga jobb, cv, ansökan, video- och distansintervjuer samt nätverk. Efter varje
            del kan du skicka en uppgift till coachen och får personlig respons inom två vardagar.
            Coachen finns i chatten vardagar kl. 9–15. Coachningen finns på finska, svenska och
            engelska.""",
            """Online coaching suits you if you want to develop your job search at your own pace,
            wherever you are. It has six parts: recognising your skills, finding vacancies, your
            CV, the application, video and remote interviews, and networks. After each part you can
            send an exercise to a coach and get personal feedback within two working days. A coach
            is available by chat on weekdays from 9 am to 3 pm. The coaching is available in
            Finnish, Swedish and English.""",
        ),
        instructions=_t(
            """Kirjaudu verkkovalmennukseen Suomi.fi-tunnistuksella. Voit aloittaa heti; lähetettä
            ei tarvita.""",
            """Logga in på webbcoachningen med Suomi.fi-identifikation. Du kan börja genast; ingen
            remiss behövs.""",
            """Log in to the online coaching with Suomi.fi identification. You can start straight
            away; no referral is needed.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1",),
        terms={"min_age": 16, "residence_required": True},
        channels=(
            _e_service(
                "https://tyopolku.example.fi/verkkovalmennus",
                _t(
                    "Työpolun verkkovalmennus",
                    "Työpolkus webbcoachning",
                    "Työpolku online coaching",
                ),
            ),
            _web(
                "https://tyopolku.example.fi/verkkovalmennus/ohjeet",
                _t(
                    "Ohjeet ja usein kysytyt kysymykset",
                    "Anvisningar och vanliga frågor",
                    "Instructions and frequently asked questions",
                ),
            ),
        ),
        drafted="2026-02-10",
        published=LAUNCH,
    ),
    _Service(
        key="career_guidance",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, KANGASALA, LEMPAALA),
        name=_t(
            "Uraohjaus aikuisille", "Karriärvägledning för vuxna", "Career guidance for adults"
        ),
        summary=_t(
            """Ammatillista ohjausta alanvaihtoon, kouluttautumiseen ja uuden suunnan löytämiseen
            kesken työuran.""",
            """Yrkesvägledning för dig som vill byta bransch, utbilda dig eller hitta en ny
            riktning mitt i arbetslivet.""",
            """Professional guidance for changing careers, taking up studies or finding a new
            direction in mid-career.""",
        ),
        description=_t(
            """Uraohjaus on tarkoitettu aikuisille, jotka harkitsevat alanvaihtoa, ovat menettäneet
            työnsä rakennemuutoksen vuoksi tai haluavat päivittää osaamistaan. Uraohjaaja käy
            kanssasi läpi työkokemuksesi, koulutuksesi ja kiinnostuksen kohteesi ja auttaa
            löytämään realistiset vaihtoehdot: täydennyskoulutuksen, tutkinnon osan,
            oppisopimuksen tai työpaikan uudelta alalta. Ohjaukseen kuuluu 2–5 tapaamista paikan
            päällä tai etäyhteydellä.""",
            """Karriärvägledningen är avsedd för vuxna som överväger att byta bransch, har förlorat
            sitt jobb på grund av en strukturomvandling eller vill uppdatera sin kompetens.
            Vägledaren går igenom din arbetserfarenhet, din utbildning och dina intressen
            tillsammans med dig och hjälper dig att hitta realistiska alternativ: fortbildning, en
            examensdel, läroavtal eller ett jobb i en ny bransch. Vägledningen omfattar 2–5 möten
            på plats eller på distans.""",
            """Career guidance is for adults who are thinking of changing careers, have lost their
            job in a structural change or want to update their skills. A career counsellor goes
            through your work experience, education and interests with you and helps you find
            realistic options: further training, part of a qualification, an apprenticeship or a
            job in a new field. The guidance consists of 2–5 meetings in person or online.""",
        ),
        instructions=_t(
            """Varaa ensimmäinen aika verkossa tai puhelimitse. Ota mukaan tai lähetä etukäteen
            CV ja todistukset, jos sinulla on ne.""",
            """Boka den första tiden på webben eller per telefon. Ta med eller skicka ditt cv och
            dina betyg i förväg om du har dem.""",
            """Book your first appointment online or by phone. Bring or send your CV and
            certificates in advance if you have them.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.2",),
        terms={"min_age": 25, "capacity_per_month": 60},
        channels=(
            TYOPOLKU_TAMPERE,
            _e_service(
                "https://tyopolku.example.fi/ajanvaraus",
                _t(
                    "Ajanvaraus uraohjaajalle",
                    "Tidsbokning till karriärvägledare",
                    "Book a career counsellor",
                ),
                ("fi", "en"),
            ),
            TYOPOLKU_PHONE,
        ),
        drafted="2026-02-10",
        published=LAUNCH,
    ),
    _Service(
        key="recruitment_service",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA, YLOJARVI),
        name=_t(
            "Rekrytointipalvelu työnantajille",
            "Rekryteringstjänst för arbetsgivare",
            "Recruitment service for employers",
        ),
        summary=_t(
            """Autamme yritystä löytämään osaavat työntekijät: työpaikkailmoitus, hakijoiden
            esivalinta ja rekrytointitilaisuudet.""",
            """Vi hjälper företaget att hitta kunniga medarbetare: platsannons, förhandsurval av
            sökande och rekryteringsevenemang.""",
            """We help companies find skilled staff: the job advertisement, pre-screening of
            applicants and recruitment events.""",
        ),
        description=_t(
            """Rekrytointipalvelu on maksuton palvelu yrityksille ja muille työnantajille, jotka
            etsivät työntekijöitä Tampereelta, Nokialta tai Ylöjärveltä. Rekrytointiasiantuntija
            kartoittaa kanssanne osaamistarpeen, laatii työpaikkailmoituksen ja julkaisee sen
            Työmarkkinatorilla. Esivalitsemme hakijat sovittujen kriteerien mukaan ja järjestämme
            tarvittaessa rekrytointitilaisuuden tai haastattelupäivän. Kerromme myös palkkatuesta
            ja muista tuista, joiden avulla voitte palkata työnhakijan.""",
            """Rekryteringstjänsten är avgiftsfri för företag och andra arbetsgivare som söker
            arbetstagare i Tammerfors, Nokia eller Ylöjärvi. En rekryteringsexpert kartlägger
            kompetensbehovet tillsammans med er, skriver platsannonsen och publicerar den på
            Jobbmarknaden. Vi gör ett förhandsurval av de sökande enligt överenskomna kriterier och
            ordnar vid behov ett rekryteringsevenemang eller en intervjudag. Vi berättar också om
            lönesubvention och andra stöd som hjälper er att anställa en arbetssökande.""",
            """The recruitment service is free of charge for companies and other employers looking
            for staff in Tampere, Nokia or Ylöjärvi. A recruitment specialist maps your skills
            needs with you, writes the job advertisement and publishes it on Job Market Finland. We
            pre-screen applicants against agreed criteria and, if needed, organise a recruitment
            event or an interview day. We also tell you about pay subsidy and other support for
            hiring a job-seeker.""",
        ),
        instructions=_t(
            """Jätä yhteydenottopyyntö tai soita rekrytointiasiantuntijalle. Kerro tehtävästä, työn
            alkamisajasta ja työntekijältä vaadittavasta osaamisesta.""",
            """Lämna en kontaktbegäran eller ring en rekryteringsexpert. Berätta om uppgiften, när
            arbetet börjar och vilken kompetens som krävs.""",
            """Leave a contact request or call a recruitment specialist. Tell us about the job,
            when it starts and the skills it requires.""",
        ),
        target_groups=("KR2", "KR2.6"),
        service_classes=("P12.1", "P12.2"),
        terms={**FOR_COMPANIES, "capacity_per_month": 80},
        channels=(
            TYOPOLKU_EMPLOYERS,
            _web("https://tyopolku.example.fi/tyonantajille", email="rekry@tyopolku.example.fi"),
        ),
        drafted="2026-02-11",
        published=LAUNCH,
    ),
    _Service(
        key="work_trial",
        producer="tyopolku",
        drafter="tuottaja.tyopolku",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA),
        name=_t(
            "Työkokeilu yrityksessä", "Arbetsprövning på ett företag", "Work trial at a company"
        ),
        summary=_t(
            """Kokeile uutta alaa tai työtehtävää yrityksessä 1–6 kuukauden ajan
            työttömyysetuutta saaden.""",
            """Pröva en ny bransch eller arbetsuppgift på ett företag i 1–6 månader medan du får
            arbetslöshetsförmån.""",
            """Try out a new field or job at a company for 1–6 months while receiving unemployment
            benefit.""",
        ),
        description=_t(
            """Työkokeilussa selvität, sopiiko ala tai tehtävä sinulle, tai palaat työelämään pitkän
            tauon jälkeen. Etsimme kanssasi sopivan yrityksen, sovimme työkokeilun tavoitteista ja
            teemme työkokeilusopimuksen sinun, yrityksen ja työllisyyspalvelujen kesken.
            Työkokeilu ei ole työsuhde: saat työttömyysetuutta ja kulukorvausta. Valmentaja seuraa
            työkokeilun etenemistä ja tekee kanssasi loppuarvioinnin.""",
            """I en arbetsprövning tar du reda på om en bransch eller uppgift passar dig, eller
            återvänder till arbetslivet efter ett långt uppehåll. Vi hittar ett lämpligt företag
            tillsammans med dig, kommer överens om målen och gör upp ett avtal om arbetsprövning
            mellan dig, företaget och sysselsättningstjänsterna. Arbetsprövning är inte ett
            anställningsförhållande: du får arbetslöshetsförmån och kostnadsersättning. Coachen
            följer hur arbetsprövningen framskrider och gör en slututvärdering med dig.""",
            """A work trial lets you find out whether a field or job suits you, or return to
            working life after a long break. We find a suitable company with you, agree on the
            goals and draw up a work trial agreement between you, the company and the employment
            services. A work trial is not employment: you receive unemployment benefit and an
            expense allowance. Your coach follows how the trial goes and reviews it with you at the
            end.""",
        ),
        instructions=_t(
            """Kysy työkokeilusta omalta asiantuntijaltasi tai valmentajaltasi. Voit myös itse
            ehdottaa yritystä, jossa haluaisit kokeilla työtä.""",
            """Fråga din sakkunniga eller coach om arbetsprövning. Du kan också själv föreslå ett
            företag där du vill pröva på arbetet.""",
            """Ask your specialist or coach about a work trial. You can also suggest a company
            where you would like to try the work.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.2", "P10.7"),
        terms={"min_age": 17, "jobseeker": Jobseeker.REGISTERED, "capacity_per_month": 25},
        channels=(TYOPOLKU_TAMPERE, TYOPOLKU_PHONE),
        drafted="2026-11-30",  # waits for review
    ),
    # Osaajat Töihin ry: training, youth and peer support ----------------------------------------
    _Service(
        key="youth_workshop",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer="controller.nokia",
        area=EMPLOYMENT,
        municipalities=(YLOJARVI, NOKIA),
        name=_t("Nuorten työpaja", "Verkstad för unga", "Youth workshop"),
        summary=_t(
            """Työpajalla 16–29-vuotiaat harjoittelevat työntekoa ohjaajan tuella puu-, kahvila-,
            media- ja kierrätystöissä.""",
            """I verkstaden övar 16–29-åringar på att arbeta med stöd av en handledare inom trä-,
            kafé-, medie- och återvinningsarbete.""",
            """At the workshop, people aged 16–29 practise working with an instructor's support in
            woodwork, café, media and recycling work.""",
        ),
        description=_t(
            """Työpaja on sinulle, joka olet 16–29-vuotias ja etsit suuntaa opiskeluun tai työhön.
            Työskentelet pajalla 4–6 tuntia päivässä oikeissa työtehtävissä ja opit samalla
            työelämän taitoja. Pajaohjaaja ja yksilövalmentaja auttavat sinua löytämään
            vahvuutesi, hakemaan opiskelu- tai työpaikkaa ja hoitamaan arjen asioita. Pajajakso
            kestää yleensä 3–6 kuukautta, ja pajalla hankitun osaamisen voi tunnistaa osaksi
            ammatillista tutkintoa.""",
            """Verkstaden är till för dig som är 16–29 år och söker en riktning mot studier eller
            arbete. Du arbetar i verkstaden 4–6 timmar om dagen med riktiga arbetsuppgifter och lär
            dig samtidigt färdigheter för arbetslivet. Verkstadshandledaren och en individuell
            coach hjälper dig att hitta dina styrkor, söka en studieplats eller ett jobb och sköta
            vardagliga ärenden. En verkstadsperiod pågår vanligen 3–6 månader, och det du lär dig i
            verkstaden kan erkännas som en del av en yrkesexamen.""",
            """The workshop is for you if you are 16–29 and looking for a direction towards studies
            or work. You work at the workshop 4–6 hours a day on real tasks and learn skills for
            working life at the same time. A workshop instructor and a personal coach help you find
            your strengths, apply for a study place or a job and manage everyday matters. A
            workshop period usually lasts 3–6 months, and the skills you gain can be recognised as
            part of a vocational qualification.""",
        ),
        instructions=_t(
            """Tule tutustumaan pajaan tiistaisin klo 13–15 ilman ajanvarausta tai soita
            pajaohjaajalle. Voit tulla myös Ohjaamon, koulun tai työllisyyspalvelujen
            ohjaamana.""",
            """Kom och bekanta dig med verkstaden på tisdagar kl. 13–15 utan tidsbokning eller ring
            verkstadshandledaren. Du kan också komma på hänvisning från Navigatorn, skolan eller
            sysselsättningstjänsterna.""",
            """Drop in to see the workshop on Tuesdays from 1 to 3 pm without an appointment, or
            call the workshop instructor. You can also be referred by Ohjaamo, your school or the
            employment services.""",
        ),
        target_groups=("KR1.3",),
        service_classes=("P10.2", "P10.7"),
        terms={"min_age": 16, "max_age": 29, "capacity_per_month": 30},
        channels=(OSAAJAT_YLOJARVI, OSAAJAT_PHONE),
        drafted="2026-02-11",
        published=LAUNCH,
    ),
    _Service(
        key="finnish_for_work",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer="johtoryhma.tampere",
        area=EMPLOYMENT,
        municipalities=(TAMPERE, YLOJARVI),
        name=_t(
            "Työelämän suomea maahan muuttaneille",
            "Finska för arbetslivet för inflyttade",
            "Finnish for working life for immigrants",
        ),
        summary=_t(
            """Käytännönläheinen suomen kielen kurssi työhaastatteluihin, työpaikan arkeen ja oman
            alan sanastoon tasoille A2–B1.""",
            """En praktisk kurs i finska för anställningsintervjuer, vardagen på arbetsplatsen och
            den egna branschens ordförråd, på nivåerna A2–B1.""",
            """A practical Finnish course for job interviews, everyday life at work and the
            vocabulary of your own field, at levels A2–B1.""",
        ),
        description=_t(
            """Kurssilla harjoittelet suomea, jota tarvitset työnhaussa ja työpaikalla:
            puhelinkeskusteluja, työhaastattelua, työvuorolistoja, työturvallisuusohjeita ja
            palaverien kieltä. Ryhmät on jaettu alojen mukaan (hoiva, logistiikka, rakentaminen ja
            palvelualat), ja opettaja ottaa huomioon oman alasi sanaston. Kurssi kestää 10 viikkoa,
            neljä päivää viikossa, ja siihen kuuluu kahden viikon työelämäjakso yrityksessä.
            Kurssin lopussa saat todistuksen ja arvion kielitaidostasi.""",
            """På kursen övar du den finska du behöver när du söker jobb och på arbetsplatsen:
            telefonsamtal, anställningsintervjun, arbetsturslistor, arbetarskyddsanvisningar och
            språket på möten. Grupperna är indelade efter bransch (omsorg, logistik, byggande och
            servicebranscher), och läraren tar hänsyn till ordförrådet i din bransch. Kursen pågår
            i 10 veckor, fyra dagar i veckan, och omfattar en två veckor lång praktikperiod på ett
            företag. I slutet av kursen får du ett intyg och en bedömning av dina
            språkkunskaper.""",
            """On the course you practise the Finnish you need when looking for work and at the
            workplace: phone calls, job interviews, shift rosters, safety instructions and the
            language of meetings. The groups are divided by field (care, logistics, construction
            and services), and the teacher takes the vocabulary of your field into account. The
            course lasts 10 weeks, four days a week, and includes a two-week work placement at a
            company. At the end you receive a certificate and an assessment of your language
            skills.""",
        ),
        instructions=_t(
            """Hakeudu kurssille työllisyyspalvelujen asiantuntijasi kautta. Ennen kurssia teet
            lyhyen lähtötasotestin, jonka perusteella sinut ohjataan sopivaan ryhmään.""",
            """Sök till kursen via din sakkunniga vid sysselsättningstjänsterna. Före kursen gör du
            ett kort nivåtest, och utifrån det placeras du i en lämplig grupp.""",
            """Apply for the course through your employment services specialist. Before the course
            you take a short placement test, which decides the right group for you.""",
        ),
        conditions=_t(
            "Suomen kielen taito vähintään tasolla A2.1.",
            "Kunskaper i finska minst på nivå A2.1.",
            "Finnish skills at level A2.1 at least.",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1",),
        terms={"min_age": 18, "jobseeker": Jobseeker.REGISTERED, "capacity_per_month": 45},
        channels=(OSAAJAT_TAMPERE, _web("https://osaajat.example.fi/tyoelaman-suomi")),
        drafted="2026-02-11",
        published=LAUNCH,
    ),
    _Service(
        key="certificate_courses",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA, YLOJARVI, KANGASALA, LEMPAALA),
        name=_t(
            "Työelämän korttikoulutukset",
            "Kortutbildningar för arbetslivet",
            "Work certificate courses",
        ),
        summary=_t(
            """Työturvallisuuskortti, hygieniapassi, anniskelupassi ja EA1-ensiapu lyhytkursseina:
            pätevyydet, joita moni työnantaja edellyttää.""",
            """Arbetarskyddskort, hygienpass, serveringspass och första hjälpen FHJ1 som korta
            kurser: behörigheter som många arbetsgivare kräver.""",
            """Occupational safety card, hygiene passport, alcohol licence passport and EA1 first
            aid as short courses: qualifications many employers require.""",
        ),
        description=_t(
            """Järjestämme joka kuukausi lyhytkoulutuksia, joissa suoritat työelämässä tarvittavan
            kortin tai passin. Työturvallisuuskortti- ja EA1-koulutukset kestävät päivän, ja
            hygieniapassi- ja anniskelupassikoulutukset päättyvät viralliseen testiin.
            Koulutuksia on päivisin ja iltaisin, ja osa järjestetään selkosuomeksi tai
            englanniksi.""",
            """Vi ordnar varje månad korta utbildningar där du avlägger ett kort eller pass som
            behövs i arbetslivet. Utbildningarna i arbetarskyddskort och första hjälpen FHJ1 tar en
            dag, och utbildningarna för hygienpass och serveringspass avslutas med ett officiellt
            test. Det finns utbildningar både dagtid och kvällstid, och en del ordnas på lättläst
            finska eller på engelska.""",
            """Every month we run short courses in which you obtain a card or passport needed in
            working life. The occupational safety card and EA1 first aid courses take a day, and
            the hygiene passport and alcohol licence passport courses end with the official test.
            Courses run in the daytime and in the evening, and some are in plain Finnish or in
            English.""",
        ),
        instructions=_t(
            """Katso tulevat kurssipäivät ja ilmoittaudu verkossa. Jos olet työnhakija, kerro
            ilmoittautuessasi, että koulutus on kirjattu työllistymissuunnitelmaasi.""",
            """Se kommande kursdagar och anmäl dig på webben. Om du är arbetssökande, berätta när
            du anmäler dig att utbildningen ingår i din sysselsättningsplan.""",
            """See the upcoming course dates and sign up online. If you are a job-seeker, say when
            signing up that the course is in your employment plan.""",
        ),
        charge=_t(
            """Työturvallisuuskortti 90 €, hygieniapassi 45 €, anniskelupassi 45 €, EA1 110 €.
            Työnhakijalle maksuton, kun koulutus on hänen työllistymissuunnitelmassaan.""",
            """Arbetarskyddskort 90 €, hygienpass 45 €, serveringspass 45 €, FHJ1 110 €.
            Avgiftsfritt för arbetssökande när utbildningen ingår i sysselsättningsplanen.""",
            """Occupational safety card €90, hygiene passport €45, alcohol licence passport €45,
            EA1 first aid €110. Free for job-seekers when the course is in their employment
            plan.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1", "P10.5"),
        terms={"min_age": 16, "capacity_per_month": 200},
        channels=(
            OSAAJAT_TAMPERE,
            _e_service(
                "https://osaajat.example.fi/kurssit",
                _t(
                    "Kurssikalenteri ja ilmoittautuminen",
                    "Kurskalender och anmälan",
                    "Course calendar and sign-up",
                ),
            ),
        ),
        drafted="2026-02-12",
        published=LAUNCH,
    ),
    _Service(
        key="peer_group",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer="edustaja.kangasala",
        area=EMPLOYMENT,
        municipalities=(KANGASALA, LEMPAALA),
        name=_t(
            "Vertaisryhmä pitkään työttömänä olleille",
            "Kamratgrupp för långtidsarbetslösa",
            "Peer group for the long-term unemployed",
        ),
        summary=_t(
            """Viikoittain kokoontuva ryhmä, jossa jaetaan kokemuksia, vahvistetaan arjen rytmiä ja
            otetaan pieniä askelia kohti työtä.""",
            """En grupp som träffas varje vecka för att dela erfarenheter, stärka vardagsrytmen och
            ta små steg mot arbete.""",
            """A weekly group for sharing experiences, building a daily rhythm and taking small
            steps towards work.""",
        ),
        description=_t(
            """Ryhmä on tarkoitettu sinulle, joka olet ollut työttömänä yli vuoden ja kaipaat
            seuraa, rytmiä ja tukea. Ryhmä kokoontuu kerran viikossa kolmen tunnin ajan Kangasalla
            ja Lempäälässä. Ohjaajina toimivat koulutettu vertaisohjaaja ja Osaajat Töihin ry:n
            työntekijä. Tapaamisissa keskustellaan, tutustutaan työpaikkoihin ja oppilaitoksiin ja
            kutsutaan vieraiksi esimerkiksi Kelan ja työllisyyspalvelujen asiantuntijoita. Ryhmään
            voi tulla mukaan milloin tahansa.""",
            """Gruppen är avsedd för dig som har varit arbetslös i över ett år och behöver
            sällskap, rytm och stöd. Gruppen träffas en gång i veckan i tre timmar i Kangasala och
            Lembois. Handledare är en utbildad kamrathandledare och en anställd vid Osaajat Töihin
            ry. På träffarna diskuterar vi, besöker arbetsplatser och läroanstalter och bjuder in
            gäster, till exempel sakkunniga från FPA och sysselsättningstjänsterna. Du kan gå med i
            gruppen när som helst.""",
            """The group is for you if you have been unemployed for over a year and would like
            company, routine and support. It meets once a week for three hours in Kangasala and
            Lempäälä, led by a trained peer instructor and a staff member of Osaajat Töihin ry. At
            the meetings we talk, visit workplaces and educational institutions and invite guests,
            for example experts from Kela and the employment services. You can join the group at
            any time.""",
        ),
        instructions=_t(
            """Tule suoraan ryhmän tapaamiseen tai soita ohjaajalle. Ilmoittautumista tai lähetettä
            ei tarvita.""",
            """Kom direkt till en gruppträff eller ring handledaren. Ingen anmälan eller remiss
            behövs.""",
            """Just come to a group meeting or call the instructor. No registration or referral is
            needed.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.8",),
        terms={"min_age": 18, "capacity_per_month": 24},
        channels=(OSAAJAT_KANGASALA, OSAAJAT_LEMPAALA, OSAAJAT_PHONE),
        drafted="2026-02-12",
        published=LAUNCH,
    ),
    _Service(
        key="industrial_training",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer="edustaja.ylapirkanmaa",
        area=EMPLOYMENT,
        municipalities=(MANTTA, RUOVESI, VIRRAT),
        name=_t(
            "Täsmäkoulutus teollisuuden tehtäviin Ylä-Pirkanmaalla",
            "Skräddarsydd utbildning för industrijobb i Övre Birkaland",
            "Targeted training for industrial jobs in Upper Pirkanmaa",
        ),
        summary=_t(
            """Alueen yritysten kanssa suunniteltu neljän kuukauden koulutus koneistus-, hitsaus-
            ja puunjalostustehtäviin, suurelta osin työpaikalla oppien.""",
            """En fyra månader lång utbildning för skärande bearbetning, svetsning och
            träförädling, planerad tillsammans med företag i regionen och till stor del förlagd
            till arbetsplatser.""",
            """A four-month course in machining, welding and wood processing, planned with local
            companies, with much of the learning done at work.""",
        ),
        description=_t(
            """Mänttä-Vilppulan, Ruoveden ja Virtain teollisuusyritykset tarvitsevat lisää
            osaajia. Koulutus on suunniteltu yhdessä yritysten kanssa, ja puolet siitä tapahtuu
            yrityksissä ohjaajan tuella. Koulutuksessa suoritat tutkinnon osia kone- ja
            tuotantotekniikan tai puualan perustutkinnosta sekä työturvallisuuskortin.
            Koulutukseen osallistuvat yritykset sitoutuvat haastattelemaan koulutuksen
            suorittaneet, ja aiemmista ryhmistä yli kaksi kolmasosaa on työllistynyt.""",
            """Industriföretagen i Mänttä-Vilppula, Ruovesi och Virdois behöver fler kunniga
            medarbetare. Utbildningen har planerats tillsammans med företagen, och hälften av den
            sker på företagen med stöd av en handledare. Under utbildningen avlägger du
            examensdelar ur grundexamen inom maskin- och produktionsteknik eller träbranschen samt
            arbetarskyddskortet. De deltagande företagen förbinder sig att intervjua dem som har
            genomgått utbildningen, och av de tidigare grupperna har över två tredjedelar fått
            jobb.""",
            """Industrial companies in Mänttä-Vilppula, Ruovesi and Virrat need more skilled
            workers. This training was planned with the companies, and half of it takes place at
            the companies with an instructor's support. You complete parts of the vocational
            qualification in mechanical and production engineering or in wood processing, and the
            occupational safety card. The participating companies commit to interviewing everyone
            who completes the training, and over two thirds of the previous groups have found
            work.""",
        ),
        instructions=_t(
            """Hae koulutukseen verkkolomakkeella viimeistään ryhmän alkamista edeltävän kuukauden
            15. päivänä. Osallistujat valitaan haastattelujen perusteella yhdessä yritysten
            kanssa.""",
            """Ansök till utbildningen med webbformuläret senast den 15 i månaden innan gruppen
            börjar. Deltagarna väljs utifrån intervjuer tillsammans med företagen.""",
            """Apply with the online form by the 15th of the month before the group starts.
            Participants are chosen on the basis of interviews, together with the companies.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1",),
        terms={"min_age": 18, "jobseeker": Jobseeker.REGISTERED, "capacity_per_month": 16},
        channels=(
            OSAAJAT_MANTTA,
            _e_service(
                "https://osaajat.example.fi/tasmakoulutus/hae",
                _t("Hakulomake", "Ansökningsblankett", "Application form"),
                ("fi",),
            ),
        ),
        drafted="2026-02-13",
        published=LAUNCH,
    ),
    _Service(
        key="digital_skills",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer="controller.nokia",
        area=EMPLOYMENT,
        municipalities=(NOKIA, YLOJARVI),
        name=_t(
            "Digitaidot työnhakuun",
            "Digitala färdigheter för jobbsökning",
            "Digital skills for job-seekers",
        ),
        summary=_t(
            """Pienryhmäkurssi sähköisen asioinnin, työnhakupalvelujen ja etähaastattelujen
            perustaitoihin.""",
            """En kurs i små grupper i grunderna för e-tjänster, jobbsökningstjänster och
            distansintervjuer.""",
            """A small-group course in the basics of online services, job-search services and
            remote interviews.""",
        ),
        description=_t(
            """Kurssilla opit käyttämään Työmarkkinatoria, Suomi.fi-tunnistusta, sähköpostia ja
            videopuheluita työnhaussa. Harjoittelemme myös CV:n tekemistä
            tekstinkäsittelyohjelmalla ja hakemusten lähettämistä verkossa. Ryhmässä on enintään
            kahdeksan osallistujaa, ja kurssilla voi lainata tietokoneen.""",
            """På kursen lär du dig att använda Jobbmarknaden, Suomi.fi-identifikation, e-post och
            videosamtal när du söker jobb. Vi övar också på att skriva ett cv med ett
            ordbehandlingsprogram och att skicka ansökningar på webben. Gruppen har högst åtta
            deltagare, och du kan låna en dator under kursen.""",
            """On the course you learn to use Job Market Finland, Suomi.fi identification, e-mail
            and video calls in your job search. We also practise writing a CV with a word processor
            and sending applications online. A group has at most eight participants, and you can
            borrow a computer during the course.""",
        ),
        instructions=_t(
            "Ilmoittaudu kurssille soittamalla Osaajat Töihin -neuvontaan.",
            "Anmäl dig till kursen genom att ringa rådgivningen vid Osaajat Töihin.",
            "Sign up for the course by calling the Osaajat Töihin advice line.",
        ),
        target_groups=("KR1", "KR1.1"),
        service_classes=("P10.1",),
        terms={"min_age": 18, "capacity_per_month": 16},
        channels=(OSAAJAT_NOKIA, OSAAJAT_PHONE),
        drafted="2026-11-16",
        returned=(
            "2026-11-18",
            "Kerro kurssin kesto ja aikataulu sekä missä kurssi järjestetään Ylöjärvellä. "
            "Nokian toimipisteen aukioloajat puuttuvat.",
        ),
    ),
    _Service(
        key="summer_jobs",
        producer="osaajat",
        drafter="edustaja.osaajat",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE, NOKIA),
        name=_t(
            "Kesätyöneuvonta nuorille 2026",
            "Sommarjobbsrådgivning för unga 2026",
            "Summer job advice for young people 2026",
        ),
        summary=_t(
            """Apua kesätyön etsimiseen, kesäseteliin ja ensimmäiseen työhakemukseen
            15–20-vuotiaille.""",
            """Hjälp att hitta sommarjobb, använda sommarsedeln och skriva den första
            jobbansökan, för 15–20-åringar.""",
            """Help with finding a summer job, using the summer job voucher and writing your first
            job application, for 15–20-year-olds.""",
        ),
        description=_t(
            """Kesätyöneuvonnassa autamme nuoria löytämään kesätyön ja tekemään ensimmäisen
            työhakemuksen. Kerromme kesäsetelistä, jolla työnantaja saa tukea nuoren palkkaamiseen,
            sekä nuoren työntekijän oikeuksista ja velvollisuuksista. Neuvontaa on tarjolla
            toukokuun alusta elokuun loppuun.""",
            """I sommarjobbsrådgivningen hjälper vi unga att hitta ett sommarjobb och skriva sin
            första jobbansökan. Vi berättar om sommarsedeln, som ger arbetsgivaren stöd för att
            anställa en ung person, och om unga arbetstagares rättigheter och skyldigheter.
            Rådgivningen ges från början av maj till slutet av augusti.""",
            """Our summer job advice helps young people find a summer job and write their first job
            application. We tell you about the summer job voucher, which gives employers support
            for hiring a young person, and about young workers' rights and duties. The advice is
            available from the start of May to the end of August.""",
        ),
        instructions=_t(
            "Tule Osaajat Töihin -taloon arkisin klo 12–16 ilman ajanvarausta.",
            "Kom till Osaajat Töihin-huset vardagar kl. 12–16 utan tidsbokning.",
            "Drop in at the Osaajat Töihin house on weekdays from noon to 4 pm.",
        ),
        target_groups=("KR1.3",),
        service_classes=("P10.1", "P10.3"),
        terms={
            "min_age": 15,
            "max_age": 20,
            "valid_from": dt.date(2026, 5, 4),
            "valid_to": dt.date(2026, 8, 31),
        },
        channels=(OSAAJAT_TAMPERE, _web("https://osaajat.example.fi/kesatyo")),
        drafted="2026-04-20",
        published="2026-05-04",
        withdrawn=(
            "2026-09-07",
            "Kesän 2026 kesätyöneuvonta päättyi elokuun lopussa. Vuoden 2027 kesätyöneuvonta "
            "julkaistaan uutena palveluna huhtikuussa.",
        ),
    ),
    # Tampere's own production unit: the services that use public authority -----------------------
    _Service(
        key="pay_subsidy",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Palkkatuki työnantajalle",
            "Lönesubvention till arbetsgivare",
            "Pay subsidy for employers",
        ),
        summary=_t(
            """Taloudellinen tuki työnantajalle, joka palkkaa työttömän työnhakijan. Tuesta
            päättävät Tampereen kaupungin työllisyyspalvelut.""",
            """Ekonomiskt stöd till arbetsgivare som anställer en arbetslös arbetssökande.
            Tammerfors stads sysselsättningstjänster beslutar om stödet.""",
            """Financial support for employers who hire an unemployed job-seeker. The City of
            Tampere employment services decide on the subsidy.""",
        ),
        description=_t(
            """Palkkatukea voi saada yritys, yhdistys, säätiö tai kunta, joka palkkaa työttömän
            työnhakijan, jonka ammatillisessa osaamisessa on puutteita tehtävään nähden. Tuki on
            50 prosenttia palkkauskustannuksista ja osatyökykyisen palkkaamiseen 70 prosenttia. Tuki
            myönnetään enintään 12 kuukaudeksi kerrallaan, osatyökykyiselle pidemmäksikin ajaksi.
            Tampereen kaupungin työllisyyspalvelut päättävät palkkatuesta ennen työsuhteen alkua, ja
            tuki maksetaan työnantajalle jälkikäteen hakemuksesta.""",
            """Lönesubvention kan beviljas ett företag, en förening, en stiftelse eller en kommun
            som anställer en arbetslös arbetssökande vars yrkeskompetens ännu inte helt motsvarar
            uppgiften. Stödet är 50 procent av lönekostnaderna och 70 procent vid anställning
            av en person med partiell arbetsförmåga. Stödet beviljas för högst 12 månader åt
            gången, för en person med partiell arbetsförmåga även för längre tid. Tammerfors stads
            sysselsättningstjänster beslutar om lönesubventionen innan anställningen börjar, och
            stödet betalas i efterhand till arbetsgivaren på ansökan.""",
            """A company, association, foundation or municipality can receive pay subsidy when it
            hires an unemployed job-seeker whose professional skills do not yet fully match the
            job. The subsidy is 50 per cent of the pay costs, or 70 per cent when hiring a person
            with partial work ability. It is granted for up to 12 months at a time, and for longer
            for a person with partial work ability. The City of Tampere employment services decide
            on the subsidy before the employment begins, and it is paid to the employer afterwards
            on application.""",
        ),
        instructions=_t(
            """Hae palkkatukea sähköisesti ennen kuin työsuhde alkaa ja liitä hakemukseen
            työsopimuksen luonnos. Neuvoa saat työnantajapalvelujen puhelinnumerosta.""",
            """Ansök om lönesubvention elektroniskt innan anställningen börjar och bifoga ett
            utkast till arbetsavtal. Råd får du på arbetsgivartjänsternas telefonnummer.""",
            """Apply for pay subsidy online before the employment begins and attach a draft
            employment contract. For advice, call the employer services helpline.""",
        ),
        conditions=_t(
            """Palkattava on työtön työnhakija, ja tuesta on päätetty ennen työsuhteen alkua.
            Työnantajalla ei ole maksamattomia veroja tai lakisääteisiä maksuja.""",
            """Den som anställs är en arbetslös arbetssökande, och beslutet om stödet har fattats
            innan anställningen börjar. Arbetsgivaren har inga obetalda skatter eller lagstadgade
            avgifter.""",
            """The person hired is an unemployed job-seeker, and the subsidy was decided before
            the employment began. The employer has no unpaid taxes or statutory payments.""",
        ),
        target_groups=("KR2", "KR2.6"),
        service_classes=("P10.7", "P12.1"),
        terms={**FOR_COMPANIES, "public_authority": True},
        channels=(
            _e_service(
                "https://asiointi.tampere.example.fi/palkkatuki",
                _t(
                    "Palkkatuen sähköinen haku",
                    "Elektronisk ansökan om lönesubvention",
                    "Apply for pay subsidy online",
                ),
            ),
            OWN_EMPLOYERS,
        ),
        drafted="2026-02-12",
        published=LAUNCH,
    ),
    _Service(
        key="hiring_supplement",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Työllistämisen kuntalisä",
            "Kommunalt tillägg för anställning",
            "Municipal hiring supplement",
        ),
        summary=_t(
            """Tampereen kaupungin tuki yritykselle tai yhdistykselle, joka palkkaa pitkään
            työttömänä olleen tai alle 30-vuotiaan tamperelaisen.""",
            """Tammerfors stads stöd till företag och föreningar som anställer en långtidsarbetslös
            eller en person under 30 år från Tammerfors.""",
            """The City of Tampere's support for companies and associations that hire a long-term
            unemployed person or someone under 30 from Tampere.""",
        ),
        description=_t(
            """Kuntalisää voi saada yritys, yhdistys tai säätiö, joka palkkaa vähintään 12
            kuukautta työttömänä olleen tai alle 30-vuotiaan tamperelaisen työnhakijan vähintään
            kuuden kuukauden työsuhteeseen. Kuntalisä on enintään 700 euroa kuukaudessa enintään 12
            kuukauden ajan, ja sen voi saada palkkatuen lisäksi. Kuntalisä on de minimis
            -tukea.""",
            """Tillägget kan beviljas ett företag, en förening eller en stiftelse som anställer en
            arbetssökande från Tammerfors som har varit arbetslös i minst 12 månader eller är under
            30 år, i en anställning på minst sex månader. Tillägget är högst 700 euro i månaden i
            högst 12 månader, och det kan beviljas utöver lönesubvention. Tillägget är de
            minimis-stöd.""",
            """The supplement is available to companies, associations and foundations that hire a
            job-seeker from Tampere who has been unemployed for at least 12 months, or is under 30,
            for at least six months. It is up to €700 a month for up to 12 months, and it can be
            combined with pay subsidy. The supplement is de minimis aid.""",
        ),
        instructions=_t(
            """Hae kuntalisää kaupungin sähköisessä asioinnissa viimeistään kahden kuukauden
            kuluttua työsuhteen alkamisesta. Tarvitset yrityksen Y-tunnuksen, työsopimuksen ja
            de minimis -ilmoituksen.""",
            """Ansök om tillägget i stadens e-tjänst senast två månader efter att anställningen har
            börjat. Du behöver företagets FO-nummer, arbetsavtalet och en de minimis-anmälan.""",
            """Apply in the city's e-service no later than two months after the employment begins.
            You need the company's business ID, the employment contract and a de minimis
            declaration.""",
        ),
        target_groups=("KR2.3", "KR2.6", "KR2.7"),
        service_classes=("P10.7", "P12.1"),
        terms={**FOR_COMPANIES, "public_authority": True, "capacity_per_month": 60},
        channels=(
            _e_service(
                "https://asiointi.tampere.example.fi/kuntalisa",
                _t(
                    "Kuntalisän sähköinen haku",
                    "Elektronisk ansökan om kommunalt tillägg",
                    "Apply for the supplement online",
                ),
            ),
            OWN_EMPLOYERS,
        ),
        drafted="2026-02-12",
        published=LAUNCH,
    ),
    _Service(
        key="start_up_grant",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Starttiraha yrittäjäksi ryhtyvälle",
            "Startpeng för blivande företagare",
            "Start-up grant for new entrepreneurs",
        ),
        summary=_t(
            """Starttiraha turvaa toimeentulosi yritystoiminnan alussa. Tuesta päättävät
            Tampereen kaupungin työllisyyspalvelut.""",
            """Startpengen tryggar din utkomst när du startar ett företag. Tammerfors stads
            sysselsättningstjänster beslutar om stödet.""",
            """The start-up grant secures your income while you start a business. The City of
            Tampere employment services decide on the grant.""",
        ),
        description=_t(
            """Starttirahaa voi saada päätoimiseksi yrittäjäksi ryhtyvä, jolla on riittävät
            valmiudet yritystoimintaan ja jonka liiketoimintasuunnitelma on kannattava.
            Starttirahaa myönnetään enintään 12 kuukaudeksi, eikä yritystoimintaa saa aloittaa
            ennen päätöstä. Hakemuksen tueksi tarvitset liiketoimintasuunnitelman ja lausunnon
            yritystoiminnan edellytyksistä; lausunnon saat maksutta allianssin
            yritysneuvonnasta.""",
            """Startpeng kan beviljas den som blir företagare på heltid, har tillräckliga
            färdigheter för företagsverksamhet och har en lönsam affärsplan. Startpeng beviljas för
            högst 12 månader, och verksamheten får inte inledas före beslutet. Som stöd för
            ansökan behöver du en affärsplan och ett utlåtande om förutsättningarna för
            verksamheten; utlåtandet får du avgiftsfritt av alliansens företagsrådgivning.""",
            """The start-up grant is available to people who become full-time entrepreneurs, have
            the skills the business needs and a viable business plan. It is granted for up to 12
            months, and the business must not start before the decision. To support your
            application you need a business plan and a statement on the business's prospects,
            which the alliance's business advisers give free of charge.""",
        ),
        instructions=_t(
            """Varaa ensin aika yritysneuvojalle liiketoimintasuunnitelman arviointia varten. Hae
            sitten starttirahaa sähköisesti ennen kuin aloitat yritystoiminnan.""",
            """Boka först en tid hos en företagsrådgivare för en bedömning av affärsplanen. Ansök
            sedan om startpeng elektroniskt innan du inleder verksamheten.""",
            """First book an appointment with a business adviser to have your business plan
            assessed. Then apply for the grant online before you start the business.""",
        ),
        target_groups=("KR1", "KR2.8"),
        service_classes=("P10.7", "P11.1"),
        terms={"min_age": 18, "residence_required": True, "public_authority": True},
        channels=(
            _e_service(
                "https://asiointi.tampere.example.fi/starttiraha",
                _t(
                    "Starttirahan sähköinen haku",
                    "Elektronisk ansökan om startpeng",
                    "Apply for the start-up grant online",
                ),
            ),
            OWN_PHONE,
            OWN_TAMPERE,
        ),
        drafted="2026-02-13",
        published=LAUNCH,
    ),
    _Service(
        key="employment_plan",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Työnhaun aloitus ja työllistymissuunnitelma",
            "Inledning av jobbsökningen och sysselsättningsplan",
            "Starting your job search and employment plan",
        ),
        summary=_t(
            """Alkuhaastattelu, palvelutarpeen arviointi ja yhdessä laadittava
            työllistymissuunnitelma, kun ilmoittaudut työnhakijaksi.""",
            """Inledande intervju, bedömning av servicebehovet och en sysselsättningsplan som görs
            upp tillsammans när du anmäler dig som arbetssökande.""",
            """An initial interview, an assessment of your service needs and an employment plan
            drawn up together when you register as a job-seeker.""",
        ),
        description=_t(
            """Kun ilmoittaudut työnhakijaksi, asiantuntija soittaa sinulle tai kutsuu sinut
            alkuhaastatteluun viiden arkipäivän kuluessa. Haastattelussa arvioidaan osaamisesi,
            tilanteesi ja palvelutarpeesi, ja laaditte yhdessä työllistymissuunnitelman, johon
            kirjataan työnhakuvelvollisuus ja sovitut palvelut. Sen jälkeen tapaat asiantuntijaa
            säännöllisesti. Työllisyyspalvelut antavat myös Kelalle ja työttömyyskassalle
            työvoimapoliittiset lausunnot työttömyysetuutta varten.""",
            """När du anmäler dig som arbetssökande ringer en sakkunnig dig eller kallar dig till en
            inledande intervju inom fem vardagar. Vid intervjun bedöms din kompetens, din situation
            och ditt servicebehov, och ni gör tillsammans upp en sysselsättningsplan där
            skyldigheten att söka arbete och de överenskomna tjänsterna skrivs in. Därefter träffar
            du den sakkunniga regelbundet. Sysselsättningstjänsterna ger också FPA och
            arbetslöshetskassan arbetskraftspolitiska utlåtanden för arbetslöshetsförmånen.""",
            """When you register as a job-seeker, a specialist calls you or invites you to an
            initial interview within five working days. The interview assesses your skills,
            situation and service needs, and together you draw up an employment plan that records
            your job-search requirement and the services agreed. After that you meet your
            specialist regularly. The employment services also give Kela and the unemployment fund
            the labour policy statements needed for unemployment benefit.""",
        ),
        instructions=_t(
            """Ilmoittaudu työnhakijaksi verkossa viimeistään ensimmäisenä työttömyyspäivänäsi. Jos
            et voi asioida verkossa, tule asiakaspalveluun tai soita.""",
            """Anmäl dig som arbetssökande på webben senast den första dagen du är arbetslös. Om du
            inte kan uträtta ärenden på webben, kom till kundtjänsten eller ring.""",
            """Register as a job-seeker online no later than your first day of unemployment. If
            you cannot do it online, visit customer service or call.""",
        ),
        target_groups=("KR1",),
        service_classes=("P10.1", "P10.6"),
        terms={"min_age": 17, "residence_required": True, "public_authority": True},
        channels=(
            OWN_TAMPERE,
            OWN_PHONE,
            _e_service(
                "https://asiointi.tampere.example.fi/tyonhakijaksi",
                _t(
                    "Ilmoittaudu työnhakijaksi",
                    "Anmäl dig som arbetssökande",
                    "Register as a job-seeker",
                ),
            ),
        ),
        drafted="2026-02-13",
        published=LAUNCH,
    ),
    _Service(
        key="ohjaamo",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Ohjaamo – nuorten ohjaus- ja neuvontapiste",
            "Navigatorn – vägledning och rådgivning för unga",
            "Ohjaamo – one-stop guidance centre for young people",
        ),
        summary=_t(
            """Alle 30-vuotiaiden matalan kynnyksen palvelupiste: apua työhön, opiskeluun,
            asumiseen ja raha-asioihin ilman ajanvarausta.""",
            """Ett lågtröskelställe för unga under 30 år: hjälp med arbete, studier, boende och
            ekonomi utan tidsbokning.""",
            """A low-threshold service point for people under 30: help with work, studies, housing
            and money matters, with no appointment needed.""",
        ),
        description=_t(
            """Ohjaamossa saat yhdestä paikasta apua arjen kysymyksiin. Paikalla ovat
            työllisyyspalvelujen asiantuntijat, uraohjaaja, nuorisotyöntekijä, sosiaaliohjaaja ja
            Kelan neuvoja. Voit tulla juttelemaan työnhausta, koulutusvaihtoehdoista, ensimmäisestä
            omasta asunnosta tai raha-huolista. Asiointi on maksutonta ja luottamuksellista, ja voit
            tulla yksin tai kaverin kanssa.""",
            """På Navigatorn får du hjälp med vardagens frågor på ett och samma ställe. På plats
            finns sakkunniga från sysselsättningstjänsterna, en karriärvägledare, en
            ungdomsarbetare, en socialhandledare och en rådgivare från FPA. Du kan komma och prata
            om jobbsökning, utbildningsalternativ, din första egna bostad eller ekonomiska
            bekymmer. Tjänsten är avgiftsfri och konfidentiell, och du kan komma ensam eller med en
            kompis.""",
            """At Ohjaamo you get help with everyday questions in one place. Employment services
            specialists, a career counsellor, a youth worker, a social counsellor and a Kela
            adviser are there. Come and talk about looking for work, study options, your first own
            home or money worries. The service is free and confidential, and you can come alone or
            with a friend.""",
        ),
        instructions=_t(
            "Tule paikalle aukioloaikoina ilman ajanvarausta tai lähetä viesti chatissa.",
            "Kom under öppettiderna utan tidsbokning eller skicka ett meddelande i chatten.",
            "Drop in during opening hours without an appointment, or send us a message by chat.",
        ),
        target_groups=("KR1.3",),
        service_classes=("P10.1", "P10.2"),
        terms={"min_age": 15, "max_age": 29},
        channels=(
            OHJAAMO,
            _web(
                "https://ohjaamo.tampere.example.fi",
                _t(
                    "Ohjaamon verkkosivut ja chat",
                    "Navigatorns webbplats och chatt",
                    "Ohjaamo's website and chat",
                ),
            ),
            _phone(
                _t("Ohjaamon puhelin", "Navigatorns telefon", "Ohjaamo by phone"),
                "+358 40 806 2100",
                [*_hours("10:00", "16:00", (1, 2, 3, 4)), *_hours("10:00", "14:00", (5,))],
                ("fi", "sv", "en"),
            ),
        ),
        drafted="2026-02-16",
        published=LAUNCH,
    ),
    _Service(
        key="recruitment_training",
        producer="tampere_own",
        drafter="johtoryhma.tampere",
        reviewer=OFFICE,
        area=EMPLOYMENT,
        municipalities=(TAMPERE,),
        name=_t(
            "Rekrytointikoulutus yrityksille",
            "Rekryteringsutbildning för företag",
            "Recruitment training for companies",
        ),
        summary=_t(
            """Yrityksen kanssa suunniteltu koulutus, jossa työnhakijat koulutetaan juuri siihen
            tehtävään, johon tarvitsette tekijöitä.""",
            """En utbildning som planeras tillsammans med företaget och där arbetssökande
            utbildas för just de uppgifter ni behöver folk till.""",
            """Training planned together with your company, in which job-seekers are trained for
            exactly the jobs you need to fill.""",
        ),
        description=_t(
            """Rekrytointikoulutus sopii yritykselle, joka tarvitsee useita uusia työntekijöitä
            eikä löydä valmiita osaajia. Valitsemme koulutettavat yhdessä yrityksen kanssa,
            suunnittelemme koulutuksen sisällön ja hankimme kouluttajan. Koulutus kestää
            tavallisesti 2–6 kuukautta, ja siihen kuuluu työssä oppimista yrityksessä. Yritys
            sitoutuu palkkaamaan koulutuksen hyväksytysti suorittaneet.""",
            """Rekryteringsutbildningen passar ett företag som behöver flera nya medarbetare och
            inte hittar färdigt utbildat folk. Vi väljer deltagarna tillsammans med företaget,
            planerar innehållet och skaffar en utbildare. Utbildningen pågår vanligen 2–6 månader
            och omfattar lärande i arbetet på företaget. Företaget förbinder sig att anställa dem
            som har slutfört utbildningen med godkänt resultat.""",
            """Recruitment training suits companies that need several new employees and cannot
            find ready-trained staff. We choose the trainees with you, plan the content and procure
            the trainer. The training usually lasts 2–6 months and includes learning at work in
            your company. The company commits to hiring those who complete the training
            successfully.""",
        ),
        instructions=_t(
            """Soita työnantajapalveluihin tai jätä yhteydenottopyyntö. Kerro, kuinka monta
            työntekijää tarvitsette ja millaista osaamista.""",
            """Ring arbetsgivartjänsterna eller lämna en kontaktbegäran. Berätta hur många
            medarbetare ni behöver och vilken kompetens.""",
            """Call the employer services or leave a contact request. Tell us how many employees
            you need and with which skills.""",
        ),
        charge=_t(
            "Yritys maksaa 30 prosenttia koulutuksen hankintahinnasta; kaupunki maksaa loput.",
            """Företaget betalar 30 procent av utbildningens anskaffningspris; staden betalar
            resten.""",
            """The company pays 30 per cent of the training's purchase price; the city pays the
            rest.""",
        ),
        target_groups=("KR2.3", "KR2.6"),
        service_classes=("P12.2", "P12.4"),
        terms={**FOR_COMPANIES, "capacity_per_month": 4},
        channels=(
            OWN_EMPLOYERS,
            _web("https://tampere.example.fi/tyonantajat/rekrytointikoulutus"),
        ),
        drafted="2026-02-16",
        published=LAUNCH,
    ),
    # Kasvuvoima Oy: business advice ---------------------------------------------------------------
    _Service(
        key="start_up_advice",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t("Yrityksen perustamisneuvonta", "Rådgivning för nya företagare", "Start-up advice"),
        summary=_t(
            """Maksutonta ja luottamuksellista neuvontaa yrityksen perustamiseen: yritysmuoto,
            liiketoimintasuunnitelma, rahoitus ja ilmoitukset.""",
            """Avgiftsfri och konfidentiell rådgivning om att starta företag: företagsform,
            affärsplan, finansiering och anmälningar.""",
            """Free and confidential advice on starting a business: the legal form, business plan,
            financing and registrations.""",
        ),
        description=_t(
            """Yritysneuvoja auttaa sinua arvioimaan liikeideasi ja viemään sen käytäntöön. Käymme
            läpi sopivan yritysmuodon, liiketoimintasuunnitelman ja laskelmat, rahoitusvaihtoehdot,
            kuten starttirahan, sekä ilmoitukset kaupparekisteriin, Verohallintoon ja
            vakuutusyhtiöön. Neuvoja antaa tarvittaessa lausunnon starttirahahakemusta varten.
            Neuvontaa saa suomeksi, ruotsiksi ja englanniksi, myös etäyhteydellä.""",
            """Företagsrådgivaren hjälper dig att bedöma din affärsidé och omsätta den i praktiken.
            Vi går igenom lämplig företagsform, affärsplan och kalkyler, finansieringsalternativ som
            startpeng samt anmälningar till handelsregistret, Skatteförvaltningen och
            försäkringsbolaget. Rådgivaren ger vid behov ett utlåtande för ansökan om startpeng.
            Rådgivning ges på finska, svenska och engelska, även på distans.""",
            """A business adviser helps you assess your business idea and put it into practice. We
            go through the right legal form, your business plan and calculations, financing
            options such as the start-up grant, and registering with the Trade Register, the Tax
            Administration and an insurer. If needed, the adviser gives a statement for your
            start-up grant application. Advice is available in Finnish, Swedish and English, also
            online.""",
        ),
        instructions=_t(
            """Varaa aika verkossa. Lähetä liiketoimintasuunnitelman luonnos etukäteen, jos sinulla
            on sellainen.""",
            "Boka tid på webben. Skicka ett utkast till affärsplan i förväg om du har ett.",
            """Book an appointment online. Send a draft of your business plan in advance if you
            have one.""",
        ),
        target_groups=("KR1", "KR2.8"),
        service_classes=("P11.1",),
        terms={**FOR_BOTH, "company_max_age_years": 3, "capacity_per_month": 90},
        channels=(KASVUVOIMA_TAMPERE, KASVUVOIMA_BOOKING, KASVUVOIMA_PHONE),
        drafted="2026-02-16",
        published=LAUNCH,
    ),
    _Service(
        key="growth_coaching",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Kasvusparraus pk-yrityksille",
            "Tillväxtsparring för små och medelstora företag",
            "Growth coaching for SMEs",
        ),
        summary=_t(
            """Kokenut liiketoiminnan kehittäjä sparraa yrityksen johtoa kasvustrategiassa,
            myynnissä ja johtamisessa.""",
            """En erfaren affärsutvecklare sparrar företagets ledning i tillväxtstrategi,
            försäljning och ledarskap.""",
            """An experienced business developer coaches your management on growth strategy, sales
            and leadership.""",
        ),
        description=_t(
            """Kasvusparraus on tarkoitettu alle 50 hengen yrityksille, jotka tavoittelevat kasvua
            uusilla tuotteilla, asiakasryhmillä tai markkinoilla. Sparraaja käy johdon kanssa läpi
            yrityksen tilanteen, kasvun esteet ja mahdollisuudet ja laatii yhdessä yrityksen kanssa
            kasvusuunnitelman. Tapaamisia on 3–6, ja niiden välillä yritys toteuttaa sovittuja
            toimenpiteitä. Tarvittaessa ohjaamme yrityksen Business Finlandin
            rahoituspalveluihin.""",
            """Tillväxtsparringen är avsedd för företag med färre än 50 anställda som vill växa med
            nya produkter, kundgrupper eller marknader. Sparraren går tillsammans med ledningen
            igenom företagets situation, hindren för tillväxt och möjligheterna och gör upp en
            tillväxtplan tillsammans med företaget. Det blir 3–6 möten, och mellan mötena
            genomför företaget de åtgärder man kommit överens om. Vid behov hänvisar vi företaget
            till Business Finlands finansieringstjänster.""",
            """Growth coaching is for companies with fewer than 50 employees that aim to grow with
            new products, customer groups or markets. The coach reviews the company's situation,
            obstacles to growth and opportunities with the management and draws up a growth plan
            together with the company. There are 3–6 meetings, and between them the company
            carries out the agreed actions. Where useful, we refer the company to Business
            Finland's funding services.""",
        ),
        instructions=_t(
            """Varaa maksuton alkukartoitus verkossa tai soita yritysneuvontaan.""",
            """Boka en avgiftsfri inledande kartläggning på webben eller ring
            företagsrådgivningen.""",
            "Book a free initial review online or call the business advice line.",
        ),
        charge=_t(
            "Kolme ensimmäistä tapaamista ovat maksuttomia, sen jälkeen 150 € + alv tapaamiselta.",
            "De tre första mötena är avgiftsfria, därefter 150 € + moms per möte.",
            "The first three meetings are free of charge; after that €150 + VAT per meeting.",
        ),
        target_groups=("KR2", "KR2.3"),
        service_classes=("P11.3",),
        terms={**FOR_COMPANIES, "company_max_employees": 49, "capacity_per_month": 20},
        channels=(KASVUVOIMA_TAMPERE, KASVUVOIMA_BOOKING),
        drafted="2026-02-17",
        published=LAUNCH,
    ),
    _Service(
        key="internationalisation",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Kansainvälistymisneuvonta",
            "Internationaliseringsrådgivning",
            "Internationalisation advice",
        ),
        summary=_t(
            """Neuvontaa vientiin ja kansainvälistymiseen: markkinoiden valinta, vientivalmius,
            kumppanit ja rahoitus.""",
            """Rådgivning om export och internationalisering: val av marknad, exportberedskap,
            partner och finansiering.""",
            """Advice on exporting and going international: choosing markets, export readiness,
            partners and funding.""",
        ),
        description=_t(
            """Kansainvälistymisneuvoja arvioi yrityksesi vientivalmiuden ja auttaa valitsemaan
            kohdemarkkinat. Saat tietoa tulli- ja verokysymyksistä, sopimuksista, messuista, Team
            Finland -verkoston palveluista ja vienninrahoituksesta. Neuvoja voi myös yhdistää sinut
            alueen vientiyrityksiin ja kansainvälisiin kumppaneihin. Palvelu on maksuton alle 250
            hengen yrityksille.""",
            """Internationaliseringsrådgivaren bedömer ditt företags exportberedskap och hjälper dig
            att välja målmarknader. Du får information om tull- och skattefrågor, avtal, mässor,
            Team Finland-nätverkets tjänster och exportfinansiering. Rådgivaren kan också sätta dig
            i kontakt med exportföretag i regionen och med internationella partner. Tjänsten är
            avgiftsfri för företag med färre än 250 anställda.""",
            """An internationalisation adviser assesses your company's export readiness and helps
            you choose target markets. You get information on customs and tax matters, contracts,
            trade fairs, the services of the Team Finland network and export financing. The adviser
            can also put you in touch with exporting companies in the region and with international
            partners. The service is free for companies with fewer than 250 employees.""",
        ),
        instructions=_t(
            """Jätä yhteydenottopyyntö ja kerro lyhyesti tuotteestanne ja kiinnostavista
            markkinoista. Neuvoja ottaa yhteyttä kolmen arkipäivän kuluessa.""",
            """Lämna en kontaktbegäran och berätta kort om er produkt och vilka marknader som
            intresserar er. Rådgivaren kontaktar er inom tre vardagar.""",
            """Leave a contact request with a few words about your product and the markets you are
            interested in. An adviser will contact you within three working days.""",
        ),
        target_groups=("KR2.1",),
        service_classes=("P11.6", "P11.7"),
        terms={**FOR_COMPANIES, "company_max_employees": 249, "capacity_per_month": 25},
        channels=(KASVUVOIMA_TAMPERE, _web("https://kasvuvoima.example.fi/kansainvalistyminen")),
        drafted="2026-02-17",
        published=LAUNCH,
    ),
    _Service(
        key="business_transfer",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t("Omistajanvaihdosneuvonta", "Rådgivning vid ägarbyte", "Business transfer advice"),
        summary=_t(
            """Tukea yrityksen myyntiin, ostoon ja sukupolvenvaihdokseen: arvonmääritys, aikataulu
            ja jatkajan löytäminen.""",
            """Stöd vid försäljning och köp av företag och vid generationsskiften: värdering,
            tidtabell och att hitta en efterträdare.""",
            """Support for selling or buying a business and for family successions: valuation,
            timing and finding a successor.""",
        ),
        description=_t(
            """Pirkanmaalla tuhannet yrittäjät jäävät eläkkeelle lähivuosina.
            Omistajanvaihdosneuvoja auttaa luopuvaa yrittäjää saamaan yrityksen myyntikuntoon,
            arvioimaan sen arvon ja löytämään jatkajan. Jatkajaksi aikovaa neuvomme yrityskaupan
            rahoituksessa ja kaupan ehdoissa. Ostajat ja myyjät kohtaavat myös kansallisessa
            yrityspörssissä, johon autamme laatimaan ilmoituksen.""",
            """I Birkaland går tusentals företagare i pension under de närmaste åren. Rådgivaren
            hjälper den som ska lämna sitt företag att göra det redo för försäljning, bedöma dess
            värde och hitta en efterträdare. Den som vill ta över ett företag får råd om
            finansieringen och villkoren för företagsköpet. Köpare och säljare möts också på den
            nationella företagsbörsen, där vi hjälper dig att skriva en annons.""",
            """Thousands of entrepreneurs in Pirkanmaa will retire in the coming years. A business
            transfer adviser helps the retiring entrepreneur prepare the company for sale, estimate
            its value and find a successor. If you plan to take over a business, we advise you on
            financing the deal and its terms. Buyers and sellers also meet on the national business
            marketplace, where we help you write your listing.""",
        ),
        instructions=_t(
            """Varaa aika verkossa tai soita. Omistajanvaihdoksen valmistelu kannattaa aloittaa
            3–5 vuotta ennen suunniteltua luopumista.""",
            """Boka tid på webben eller ring. Det lönar sig att börja förbereda ägarbytet 3–5 år
            före den planerade överlåtelsen.""",
            """Book an appointment online or call. It pays to start preparing a transfer 3–5 years
            before you plan to step down.""",
        ),
        target_groups=("KR2.3", "KR2.8"),
        service_classes=("P11.8",),
        terms={**FOR_BOTH, "capacity_per_month": 15},
        channels=(KASVUVOIMA_TAMPERE, KASVUVOIMA_PHONE),
        drafted="2026-02-18",
        published=LAUNCH,
    ),
    _Service(
        key="immigrant_entrepreneurs",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Yritysneuvonta maahan muuttaneille",
            "Företagsrådgivning för inflyttade",
            "Business advice for immigrant entrepreneurs",
        ),
        summary=_t(
            """Yrityksen perustamisneuvontaa englanniksi, arabiaksi, ukrainaksi ja somaliksi sekä
            tietoa suomalaisesta yrittäjyydestä.""",
            """Rådgivning om att starta företag på engelska, arabiska, ukrainska och somaliska
            samt information om företagande i Finland.""",
            """Start-up advice in English, Arabic, Ukrainian and Somali, and information on running
            a business in Finland.""",
        ),
        description=_t(
            """Palvelu on tarkoitettu Suomeen muuttaneille, jotka suunnittelevat yrityksen
            perustamista tai jo yrittävät. Neuvoja kertoo suomalaisen yritystoiminnan säännöistä,
            verotuksesta, kirjanpidosta ja luvista ja auttaa liiketoimintasuunnitelman teossa. Jos
            tarvitset oleskeluluvan yrittäjänä, neuvomme myös elinkeinonharjoittajan
            oleskelulupaa koskevissa kysymyksissä. Kerran kuukaudessa järjestämme
            englanninkielisen yrittäjyysinfon.""",
            """Tjänsten är avsedd för personer som har flyttat till Finland och planerar att starta
            ett företag eller redan är företagare. Rådgivaren berättar om reglerna för
            företagsverksamhet i Finland, beskattning, bokföring och tillstånd och hjälper dig med
            affärsplanen. Om du behöver uppehållstillstånd som företagare ger vi också råd i frågor
            om uppehållstillstånd för näringsidkare. En gång i månaden ordnar vi ett
            informationsmöte om företagande på engelska.""",
            """The service is for people who have moved to Finland and are planning to start a
            business or already run one. The adviser explains the rules for doing business in
            Finland, taxation, bookkeeping and licences, and helps you with your business plan. If
            you need a residence permit as an entrepreneur, we also advise on the residence permit
            for self-employed persons. Once a month we hold an information session on
            entrepreneurship in English.""",
        ),
        instructions=_t(
            """Varaa aika verkossa ja valitse kieli, jolla haluat asioida. Tulkki on maksuton.""",
            """Boka tid på webben och välj det språk du vill använda. Tolken är avgiftsfri.""",
            """Book an appointment online and choose the language you want to use. Interpreting is
            free of charge.""",
        ),
        target_groups=("KR2.4",),
        service_classes=("P11.1", "P11.2"),
        terms={**FOR_BOTH, "capacity_per_month": 30},
        channels=(
            _location(
                _t(
                    "Kasvuvoiman yrityspalvelut, Tampere",
                    "Kasvuvoimas företagstjänster, Tammerfors",
                    "Kasvuvoima business services, Tampere",
                ),
                street="Åkerlundinkatu 8",
                postal_code="33100",
                municipality=TAMPERE,
                hours=_hours("09:00", "16:00", (2, 4)),
                languages=("fi", "en", "ar", "so", "uk"),
                accessibility=KASVUVOIMA_ACCESS,
            ),
            _e_service(
                "https://kasvuvoima.example.fi/en/book",
                _t("Ajanvaraus", "Tidsbokning", "Book an appointment"),
                ("fi", "en", "ar", "so", "uk"),
            ),
        ),
        drafted="2026-02-18",
        published=LAUNCH,
    ),
    _Service(
        key="financing_advice",
        producer="kasvuvoima",
        drafter="edustaja.kasvuvoima",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Yritysrahoituksen neuvonta",
            "Rådgivning om företagsfinansiering",
            "Business financing advice",
        ),
        summary=_t(
            """Apua oikean rahoituksen löytämiseen: pankkilaina, Finnveran takaus, avustukset ja
            pääomasijoitukset.""",
            """Hjälp att hitta rätt finansiering: banklån, Finnveras borgen, understöd och
            kapitalinvesteringar.""",
            """Help finding the right funding: bank loans, Finnvera guarantees, grants and equity
            investment.""",
        ),
        description=_t(
            """Rahoitusneuvoja käy läpi yrityksesi rahoitustarpeen ja laskelmat ja kertoo, mitkä
            rahoitusmuodot sopivat tilanteeseen. Autamme valmistelemaan rahoitushakemukset ja
            pankkineuvottelut ja tarkistamaan hakemusten liitteet. Neuvonta on maksutonta ja
            puolueetonta: emme myy rahoitustuotteita.""",
            """Finansieringsrådgivaren går igenom ditt företags finansieringsbehov och kalkyler och
            berättar vilka finansieringsformer som passar situationen. Vi hjälper dig att förbereda
            finansieringsansökningar och bankförhandlingar och att gå igenom bilagorna till
            ansökningarna. Rådgivningen är avgiftsfri och opartisk: vi säljer inga
            finansieringsprodukter.""",
            """A financing adviser reviews your company's funding needs and calculations and tells
            you which forms of funding suit your situation. We help you prepare funding
            applications and negotiations with banks and check the attachments to your
            applications. The advice is free and impartial: we do not sell financial products.""",
        ),
        instructions=_t(
            "Varaa aika verkossa ja ota mukaan viimeisin tilinpäätös tai tuloslaskelma.",
            "Boka tid på webben och ta med det senaste bokslutet eller resultaträkningen.",
            "Book an appointment online and bring your latest financial statements.",
        ),
        target_groups=("KR2.3", "KR2.8"),
        service_classes=("P11.1", "P11.3"),
        terms={**FOR_BOTH, "capacity_per_month": 40},
        channels=(KASVUVOIMA_TAMPERE, KASVUVOIMA_BOOKING),
        drafted="2026-12-01",  # waits for review
    ),
    # Pirkan Yrityskehitys Oy: business development, and one vitality service --------------------
    _Service(
        key="innovation_advice",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Tuotekehitys- ja innovaationeuvonta",
            "Rådgivning om produktutveckling och innovation",
            "Product development and innovation advice",
        ),
        summary=_t(
            """Sparrausta uuden tuotteen tai palvelun kehittämiseen, immateriaalioikeuksiin ja
            testaukseen yhdessä korkeakoulujen kanssa.""",
            """Sparring i utvecklingen av en ny produkt eller tjänst, immateriella rättigheter och
            testning tillsammans med högskolor.""",
            """Coaching for developing a new product or service, on intellectual property and
            testing, together with universities.""",
        ),
        description=_t(
            """Innovaationeuvoja auttaa yritystä tai keksijää viemään idean prototyypiksi ja
            markkinoille. Arvioimme idean uutuuden ja kaupalliset mahdollisuudet, opastamme
            patentti- ja tavaramerkkiasioissa ja yhdistämme yrityksen tamperelaisten korkeakoulujen
            testausympäristöihin ja asiantuntijoihin. Autamme myös hakemaan rahoitusta
            tuotekehitykseen.""",
            """Innovationsrådgivaren hjälper företag och uppfinnare att föra en idé till en
            prototyp och ut på marknaden. Vi bedömer idéns nyhetsvärde och kommersiella
            möjligheter, ger vägledning i patent- och varumärkesfrågor och sätter företaget i
            kontakt med testmiljöer och experter vid högskolorna i Tammerfors. Vi hjälper också
            till att söka finansiering för produktutveckling.""",
            """An innovation adviser helps companies and inventors take an idea to a prototype and
            to market. We assess how new the idea is and its commercial potential, guide you on
            patents and trademarks, and connect you with the testing facilities and experts of
            Tampere's universities. We also help you apply for funding for product
            development.""",
        ),
        instructions=_t(
            """Kuvaa ideasi lyhyesti yhteydenottopyynnössä; käsittelemme tiedot luottamuksellisesti.
            Neuvoja sopii kanssasi ensimmäisen tapaamisen.""",
            """Beskriv din idé kort i kontaktbegäran; vi behandlar uppgifterna konfidentiellt.
            Rådgivaren bokar det första mötet med dig.""",
            """Describe your idea briefly in a contact request; we treat it in confidence. An
            adviser will arrange the first meeting with you.""",
        ),
        target_groups=("KR2.2", "KR2.3"),
        service_classes=("P11.4",),
        terms={**FOR_BOTH, "capacity_per_month": 20},
        channels=(YRITYSKEHITYS_HERVANTA, _web("https://yrityskehitys.example.fi/innovaatiot")),
        drafted="2026-02-18",
        published="2026-03-16",
    ),
    _Service(
        key="business_networks",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Yritysverkostot ja yhteistyö",
            "Företagsnätverk och samarbete",
            "Business networks and cooperation",
        ),
        summary=_t(
            """Toimialakohtaiset yritysverkostot, yhteistarjoukset ja kumppanihaku pirkanmaalaisille
            yrityksille.""",
            """Branschvisa företagsnätverk, gemensamma anbud och partnersökning för företag i
            Birkaland.""",
            "Sector networks, joint bids and partner search for companies in Pirkanmaa.",
        ),
        description=_t(
            """Kokoamme yrityksiä verkostoihin, joissa ne voivat jakaa osaamista, hankkia yhdessä ja
            tehdä yhteistarjouksia julkisiin hankintoihin. Verkostoja on teknologiateollisuudessa,
            rakentamisessa, matkailussa ja hyvinvointipalveluissa. Autamme myös löytämään
            yhteistyökumppanin, alihankkijan tai asiakkaan alueelta. Verkostot kokoontuvat 4–6
            kertaa vuodessa.""",
            """Vi samlar företag i nätverk där de kan dela kunnande, göra gemensamma inköp och
            lämna gemensamma anbud i offentliga upphandlingar. Det finns nätverk inom
            teknologiindustrin, byggbranschen, turismen och välfärdstjänsterna. Vi hjälper också
            till att hitta en samarbetspartner, en underleverantör eller en kund i regionen.
            Nätverken träffas 4–6 gånger om året.""",
            """We bring companies together in networks where they can share know-how, buy together
            and make joint bids in public procurement. There are networks in the technology
            industry, construction, tourism and wellbeing services. We also help you find a
            partner, subcontractor or customer in the region. The networks meet 4–6 times a
            year.""",
        ),
        instructions=_t(
            "Katso verkostojen tapaamiset ja ilmoittaudu verkkosivuilla.",
            "Se nätverksträffarna och anmäl dig på webbplatsen.",
            "See the network meetings and sign up on the website.",
        ),
        charge=_t(
            "Verkostoon liittyminen on maksutonta. Tapaamiset 40 € + alv osallistujalta.",
            "Det är avgiftsfritt att gå med i ett nätverk. Träffarna kostar 40 € + moms per "
            "deltagare.",
            "Joining a network is free. Meetings cost €40 + VAT per participant.",
        ),
        target_groups=("KR2", "KR2.3", "KR2.7"),
        service_classes=("P11.5",),
        terms={**FOR_COMPANIES, "capacity_per_month": 60},
        channels=(YRITYSKEHITYS_HERVANTA, _web("https://yrityskehitys.example.fi/verkostot")),
        drafted="2026-02-19",
        published="2026-03-16",
    ),
    _Service(
        key="digital_business",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Digitaalisen liiketoiminnan kehittäminen",
            "Utveckling av digital affärsverksamhet",
            "Digital business development",
        ),
        summary=_t(
            """Pienyrityksen digikartoitus ja tuki verkkokaupan, digitaalisen markkinoinnin ja
            tekoälytyökalujen käyttöönottoon.""",
            """Digital kartläggning för småföretag och stöd för att införa webbutik, digital
            marknadsföring och AI-verktyg.""",
            """A digital review for small businesses and support in taking up e-commerce, online
            marketing and AI tools.""",
        ),
        description=_t(
            """Digikartoituksessa asiantuntija käy yrityksen kanssa läpi sen myynnin, markkinoinnin
            ja arjen työkalut ja tunnistaa, missä digitaaliset ratkaisut säästäisivät aikaa tai
            toisivat uusia asiakkaita. Kartoituksen tuloksena yritys saa kehityssuunnitelman ja
            ehdotuksen toteutusjärjestyksestä. Toteutusvaiheessa autamme esimerkiksi verkkokaupan
            perustamisessa, hakukonenäkyvyydessä ja tekoälytyökalujen turvallisessa
            käytössä.""",
            """Vid den digitala kartläggningen går en expert tillsammans med företaget igenom dess
            försäljning, marknadsföring och vardagliga verktyg och identifierar var digitala
            lösningar skulle spara tid eller ge nya kunder. Som resultat får företaget en
            utvecklingsplan och ett förslag till i vilken ordning åtgärderna genomförs. I
            genomförandet hjälper vi till exempel med att starta en webbutik, med synlighet i
            sökmotorer och med att använda AI-verktyg på ett säkert sätt.""",
            """In the digital review an expert goes through the company's sales, marketing and
            everyday tools with you and identifies where digital solutions would save time or bring
            new customers. The result is a development plan with a suggested order of steps. In the
            implementation we help, for example, with setting up an online shop, search engine
            visibility and using AI tools safely.""",
        ),
        instructions=_t(
            "Varaa digikartoitus verkossa. Kartoitus kestää noin kaksi tuntia.",
            "Boka en digital kartläggning på webben. Kartläggningen tar cirka två timmar.",
            "Book a digital review online. The review takes about two hours.",
        ),
        charge=_t(
            "Digikartoitus on maksuton. Toteutuksen tuki 95 € + alv tunnilta.",
            "Den digitala kartläggningen är avgiftsfri. Stöd i genomförandet 95 € + moms per "
            "timme.",
            "The digital review is free. Implementation support costs €95 + VAT an hour.",
        ),
        target_groups=("KR2.3",),
        service_classes=("P11.3", "P11.4"),
        terms={**FOR_COMPANIES, "company_max_employees": 49, "capacity_per_month": 30},
        channels=(
            YRITYSKEHITYS_LEMPAALA,
            YRITYSKEHITYS_HERVANTA,
            _e_service(
                "https://yrityskehitys.example.fi/digikartoitus",
                _t(
                    "Digikartoituksen ajanvaraus",
                    "Tidsbokning för digital kartläggning",
                    "Book a digital review",
                ),
                ("fi", "en"),
            ),
        ),
        drafted="2026-02-19",
        published="2026-03-16",
    ),
    _Service(
        key="staff_development",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Henkilöstön osaamisen kehittäminen pk-yrityksissä",
            "Kompetensutveckling för personalen i små och medelstora företag",
            "Staff skills development for SMEs",
        ),
        summary=_t(
            """Osaamiskartoitus ja yhteishankintakoulutukset, joilla henkilöstö oppii uusia taitoja
            yrityksen muuttuessa.""",
            """Kompetenskartläggning och gemensamt upphandlade utbildningar som ger personalen nya
            färdigheter när företaget förändras.""",
            """Skills mapping and jointly purchased training to help your staff learn new skills
            as the business changes.""",
        ),
        description=_t(
            """Kartoitamme henkilöstön nykyisen osaamisen ja tulevat tarpeet, jotka syntyvät
            esimerkiksi automaatiosta, uusista tuotteista tai vihreästä siirtymästä. Kartoituksen
            pohjalta suunnittelemme koulutuksen, jonka yritys voi hankkia yhdessä julkisen
            rahoittajan kanssa (täsmä- tai muutoskoulutus), tai ohjaamme henkilöstön sopiviin
            avoimiin koulutuksiin.""",
            """Vi kartlägger personalens nuvarande kompetens och de framtida behov som uppstår till
            exempel genom automation, nya produkter eller den gröna omställningen. Utifrån
            kartläggningen planerar vi en utbildning som företaget kan upphandla tillsammans med en
            offentlig finansiär (skräddarsydd utbildning eller omställningsutbildning), eller
            hänvisar personalen till lämpliga öppna utbildningar.""",
            """We map your staff's current skills and the future needs arising, for example, from
            automation, new products or the green transition. Based on this we plan training the
            company can purchase jointly with a public funder (targeted or change training), or
            point your staff to suitable open courses.""",
        ),
        instructions=_t(
            "Soita tai jätä yhteydenottopyyntö, niin sovimme kartoituksen ajankohdan.",
            """Ring eller lämna en kontaktbegäran, så kommer vi överens om en tid för
            kartläggningen.""",
            """Call or leave a contact request, and we will agree on a time for the skills
            mapping.""",
        ),
        charge=_t(
            """Kartoitus on maksuton. Yhteishankintakoulutuksessa yrityksen osuus on 30–70
            prosenttia koulutuksen hinnasta yrityksen koon mukaan.""",
            """Kartläggningen är avgiftsfri. I en gemensamt upphandlad utbildning betalar företaget
            30–70 procent av priset beroende på företagets storlek.""",
            """The skills mapping is free. For jointly purchased training, the company pays 30–70
            per cent of the price depending on its size.""",
        ),
        target_groups=("KR2.3", "KR2.6"),
        service_classes=("P12.4",),
        terms={**FOR_COMPANIES, "company_max_employees": 249, "capacity_per_month": 12},
        channels=(YRITYSKEHITYS_HERVANTA, YRITYSKEHITYS_PHONE),
        drafted="2026-02-20",
        published="2026-03-16",
    ),
    _Service(
        key="location_service",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer="controller.nokia",
        area=VITALITY,
        municipalities=(NOKIA, KANGASALA, LEMPAALA),
        name=_t(
            "Yritysten sijoittumispalvelu",
            "Etableringstjänst för företag",
            "Business location service",
        ),
        summary=_t(
            """Apua yritystontin tai toimitilan löytämiseen Nokialla, Kangasalla ja Lempäälässä
            sekä yhteydet kaavoitukseen ja lupiin.""",
            """Hjälp att hitta en företagstomt eller en lokal i Nokia, Kangasala och Lembois samt
            kontakter till planläggning och tillstånd.""",
            """Help finding a business plot or premises in Nokia, Kangasala and Lempäälä, with
            contacts to land-use planning and permits.""",
        ),
        description=_t(
            """Sijoittumispalvelu auttaa yritystä, joka etsii uutta toimipaikkaa tai laajentaa
            toimintaansa. Kokoamme sopivat tontti- ja toimitilavaihtoehdot kuntien ja yksityisten
            kiinteistönomistajien tarjonnasta, järjestämme kohdekäynnit ja yhdistämme yrityksen
            kunnan kaavoituksen, rakennusvalvonnan ja ympäristölupien asiantuntijoihin. Palvelu on
            yritykselle maksuton ja luottamuksellinen.""",
            """Etableringstjänsten hjälper företag som söker ett nytt verksamhetsställe eller
            utvidgar sin verksamhet. Vi sammanställer lämpliga tomter och lokaler ur kommunernas och
            privata fastighetsägares utbud, ordnar platsbesök och sätter företaget i kontakt med
            kommunens experter på planläggning, byggnadstillsyn och miljötillstånd. Tjänsten är
            avgiftsfri och konfidentiell för företaget.""",
            """The location service helps companies looking for new premises or expanding. We
            compile suitable plots and premises offered by the municipalities and private property
            owners, arrange site visits and connect the company with the municipal experts in
            land-use planning, building control and environmental permits. The service is free and
            confidential for the company.""",
        ),
        instructions=_t(
            """Kerro yhteydenottopyynnössä tarvitsemasi tilan koko, käyttötarkoitus ja
            aikataulu.""",
            "Berätta i kontaktbegäran hur stor lokal ni behöver, för vilket ändamål och när.",
            "In your contact request, tell us the size and use of the space you need, and when.",
        ),
        target_groups=("KR2", "KR2.3", "KR2.5"),
        service_classes=("P11.3", "P11.5"),
        terms={**FOR_COMPANIES, "capacity_per_month": 10},
        channels=(YRITYSKEHITYS_LEMPAALA, YRITYSKEHITYS_PHONE),
        drafted="2026-02-20",
        published="2026-03-16",
    ),
    _Service(
        key="circular_economy",
        producer="yrityskehitys",
        drafter="edustaja.yrityskehitys",
        reviewer=OFFICE,
        area=BUSINESS,
        municipalities=MEMBERS,
        name=_t(
            "Kiertotalous- ja vastuullisuusneuvonta",
            "Rådgivning om cirkulär ekonomi och hållbarhet",
            "Circular economy and sustainability advice",
        ),
        summary=_t(
            """Tukea pk-yrityksille materiaalitehokkuuteen, sivuvirtojen hyödyntämiseen ja
            vastuullisuusraportointiin.""",
            """Stöd för små och medelstora företag i materialeffektivitet, användning av
            sidoströmmar och hållbarhetsrapportering.""",
            """Support for SMEs in material efficiency, using side streams and sustainability
            reporting.""",
        ),
        description=_t(
            """Neuvoja kartoittaa yrityksen materiaalivirrat ja energiankäytön ja etsii keinoja
            vähentää hukkaa ja kustannuksia. Yhdistämme sivuvirtoja tuottavia ja hyödyntäviä
            yrityksiä alueen materiaalitorilla ja autamme aloittamaan vastuullisuusraportoinnin
            asiakkaiden ja rahoittajien vaatimusten mukaisesti.""",
            """Rådgivaren kartlägger företagets materialflöden och energianvändning och söker sätt
            att minska svinn och kostnader. Vi sammanför företag som producerar och använder
            sidoströmmar på regionens materialtorg och hjälper er att komma i gång med
            hållbarhetsrapportering enligt kundernas och finansiärernas krav.""",
            """An adviser maps the company's material flows and energy use and looks for ways to
            cut waste and costs. We bring together companies that produce and use side streams on
            the region's materials marketplace, and help you start sustainability reporting that
            meets the requirements of customers and financiers.""",
        ),
        instructions=_t(
            "Jätä yhteydenottopyyntö, niin neuvoja soittaa sinulle.",
            "Lämna en kontaktbegäran, så ringer rådgivaren dig.",
            "Leave a contact request and an adviser will call you.",
        ),
        target_groups=("KR2.3",),
        service_classes=("P11.3",),
        terms={**FOR_COMPANIES, "company_max_employees": 249, "capacity_per_month": 15},
        channels=(YRITYSKEHITYS_HERVANTA,),
        drafted="2026-12-02",  # waits for review
    ),
)


# Requests from the public ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    day: str
    service: str  # the key of a published service
    data: RequestInput
    language: str = "fi"
    #: (day, user name, note) the organizer handled it.
    handled: tuple[str, str, str] | None = None


def _person(name: str, contact: str, municipality: str, message: str) -> RequestInput:
    return RequestInput(
        customer_type=CustomerType.PERSON,
        name=name,
        contact=contact,
        municipality_code=municipality,
        message=message,
    )


def _company(
    name: str, contact: str, municipality: str, company: str, business_id: str, message: str
) -> RequestInput:
    return RequestInput(
        customer_type=CustomerType.COMPANY,
        name=name,
        contact=contact,
        municipality_code=municipality,
        message=message,
        company_name=company,
        business_id=business_id,
    )


REQUESTS: tuple[_Request, ...] = (
    _Request(
        "2026-11-24",
        "job_search_coaching",
        _person(
            "Laura Mäkinen",
            "laura.makinen@example.fi",
            TAMPERE,
            "Olen ollut työttömänä kaksi kuukautta ja haluaisin apua CV:n päivittämiseen ja "
            "haastatteluihin valmistautumiseen. Sopisiko tapaaminen ensi viikolla?",
        ),
        handled=(
            "2026-12-01",
            "johtoryhma.tampere",
            "Soitettu 1.12. Ohjattu Työpolun valmennusryhmään, joka alkaa 14.12.",
        ),
    ),
    _Request(
        "2026-11-26",
        "online_coaching",
        _person(
            "Mikko Heinonen",
            "+358 50 431 7788",
            NOKIA,
            "En pääse kirjautumaan verkkovalmennukseen, koska minulla ei ole pankkitunnuksia. "
            "Onko muuta tapaa kirjautua?",
        ),
    ),
    _Request(
        "2026-11-27",
        "industrial_training",
        _person(
            "Jari Lehtonen",
            "jari.lehtonen@example.fi",
            VIRRAT,
            "Olen hitsari, mutta pätevyyskokeeni ovat vanhentuneet. Voinko hakea koulutukseen, "
            "ja milloin seuraava ryhmä alkaa?",
        ),
    ),
    _Request(
        "2026-11-30",
        "pay_subsidy",
        _company(
            "Sari Koskinen",
            "sari.koskinen@kiinteistohuolto.example.fi",
            TAMPERE,
            "Pirkan Kiinteistöhuolto Oy",
            "2876543-5",
            "Aiomme palkata tammikuussa kaksi kiinteistönhoitajaa, joista toinen on ollut "
            "työttömänä yli vuoden. Voimmeko saada palkkatukea, ja kuinka nopeasti päätös "
            "tehdään?",
        ),
    ),
    _Request(
        "2026-12-01",
        "internationalisation",
        _company(
            "Antti Järvinen",
            "+358 40 718 2290",
            LEMPAALA,
            "Lempäälän Puutuote Oy",
            "3012345-8",
            "Haluamme aloittaa viennin Ruotsiin ja Norjaan. Tarvitsemme apua markkinaselvitykseen "
            "ja jälleenmyyjän löytämiseen.",
        ),
    ),
    _Request(
        "2026-12-02",
        "start_up_advice",
        _person(
            "Emma Salonen",
            "emma.salonen@example.fi",
            KANGASALA,
            "Suunnittelen valokuvausyritystä. Tarvitsen apua liiketoimintasuunnitelmaan ja "
            "starttirahan hakemiseen.",
        ),
    ),
    _Request(
        "2026-12-02",
        "immigrant_entrepreneurs",
        _person(
            "Ahmed Hassan",
            "ahmed.hassan@example.com",
            TAMPERE,
            "I would like to open a small restaurant in Tampere. Can I get advice in English "
            "about the permits and the start-up grant?",
        ),
        language="en",
    ),
    _Request(
        "2026-12-03",
        "location_service",
        _company(
            "Petri Aaltonen",
            "petri.aaltonen@konepaja.example.fi",
            NOKIA,
            "Nokian Konepaja Oy",
            "3198765-3",
            "Etsimme vuoden 2027 aikana noin 3 000 neliön hallia tai tonttia Nokialta tai "
            "Lempäälästä moottoritien läheltä.",
        ),
    ),
    _Request(
        "2026-12-04",
        "youth_workshop",
        _person(
            "Elin Lindholm",
            "elin.lindholm@example.fi",
            YLOJARVI,
            "Hej! Min son är 17 år och har avbrutit gymnasiet. Kan han börja i verkstaden redan i "
            "januari, och behövs det en remiss?",
        ),
        language="sv",
    ),
)


# Loading ---------------------------------------------------------------------------------------


def load(
    *,
    alliance: Alliance,
    org: Mapping[str, Organisation],
    users: Mapping[str, User],
    replay: Replay,
) -> dict[str, Service]:
    """Write the catalogue's story for ``alliance`` through the catalogue's services, each step
    on its own day. ``org`` holds the parties by the demo's keys, ``users`` the people by user
    name. Returns the services by their keys."""
    office = users[OFFICE]
    versions: dict[str, ServiceVersion] = {}
    requests: dict[int, ServiceRequest] = {}
    steps: list[tuple[str, int, Callable[[], object]]] = []

    def on(day: str, step: Callable[[], object]) -> None:
        steps.append((day, len(steps), step))

    def draft(spec: _Service) -> None:
        drafter = users[spec.drafter]
        version = service_create(actor=drafter, alliance=alliance, data=spec.data(org))
        for channel in spec.channels:
            service_channel_add(actor=drafter, version=version, data=channel)
        versions[spec.key] = service_submit(actor=drafter, version=version)

    def publish(spec: _Service) -> None:
        versions[spec.key] = service_publish(actor=users[spec.reviewer], version=versions[spec.key])

    def send_back(spec: _Service, reason: str) -> None:
        service_return(actor=users[spec.reviewer], version=versions[spec.key], reason=reason)

    def withdraw(spec: _Service, reason: str) -> None:
        service_withdraw(
            actor=users[spec.reviewer], service=versions[spec.key].service, reason=reason
        )

    def revise(spec: _Service, changes: Mapping[str, Any]) -> None:
        drafter = users[spec.drafter]
        following = service_revise(actor=drafter, service=versions[spec.key].service)
        service_draft_update(
            actor=drafter, version=following, data=replace(spec.data(org), **changes)
        )

    def ask(number: int, request: _Request) -> None:
        requests[number] = service_request_create(
            service=versions[request.service].service,
            data=request.data,
            language=request.language,
            address=f"198.51.100.{20 + number}",  # a documentation address (RFC 5737)
        )

    def handle(number: int, user: str, note: str) -> None:
        service_request_handle(actor=users[user], request=requests[number], note=note)

    on(
        "2026-02-02",
        functools.partial(
            catalogue_settings_update,
            actor=office,
            alliance=alliance,
            public=True,
            request_retention_days=90,
        ),
    )
    for spec in SERVICES:
        on(spec.drafted, functools.partial(draft, spec))
        if spec.published:
            on(spec.published, functools.partial(publish, spec))
        if spec.returned:
            on(spec.returned[0], functools.partial(send_back, spec, spec.returned[1]))
        if spec.withdrawn:
            on(spec.withdrawn[0], functools.partial(withdraw, spec, spec.withdrawn[1]))
        if spec.revised:
            on(spec.revised[0], functools.partial(revise, spec, spec.revised[1]))
    for number, request in enumerate(REQUESTS):
        on(request.day, functools.partial(ask, number, request))
        if request.handled:
            on(request.handled[0], functools.partial(handle, number, *request.handled[1:]))

    for day, group in itertools.groupby(sorted(steps, key=lambda s: s[:2]), key=lambda s: s[0]):
        with replay(day):
            for _day, _order, step in group:
                step()
    return {key: version.service for key, version in versions.items()}

#!/usr/bin/env python3
"""Service catalogue benchmark (issue 12): the public pages of a national-scale catalogue, served
by gunicorn under 16 concurrent clients, beside a bare Django JSON view in the same server.

    .venv/bin/pip install -r benchmarks/requirements.txt     # gunicorn (and DuckDB, for ledger.py)
    .venv/bin/python benchmarks/catalogue.py [--services 10000] [--seconds 15] [--write-docs]

The catalogue: ``--services`` published services (default 10 000) with 2–3 channels each (25 000),
in 18 alliances, one per mainland region, each with the region and all of its municipalities as
organizers (293 municipalities), its producers (companies and own production units), the
organizing responsibilities recorded, in implementation and publishing its catalogue. A 19th
alliance (Åland) publishes services in a catalogue that is not public, one service in ten has a
replaced earlier version, and neither may show. Names, summaries and descriptions are in
Finnish, Swedish and English, made from word lists (31 kinds of service, audiences, sentences):
most words a search is made of are each found in a few hundred services.

How the services are made: ``--full-path`` of them (default 200, half before and half after the
rest) go through the whole service stack as people make them (``service_create``, a
``service_channel_add`` per channel, ``service_submit``, ``service_publish``: locks, checks, the
compliance guard, audit records, the search index). That path is timed, and 10 000 that way would
take far more than the ten minutes a run may spend on its set-up, so the rest are written with
``bulk_create`` in the same shapes (the same ``ServiceInput.content()``, parties and channels),
then indexed by the same ``allianssi.catalogue.search.index(version)`` that publishing calls. They
have no audit records or notifications, which no public page reads. The alliances and their
members are written the same way; the alliances themselves are created by ``alliance_create``.

Then, on a fresh SQLite file and on a fresh PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/allianssi_bench), each in its own child process, gunicorn
serves the project's WSGI application with production's settings (``catalogue_settings.py``:
DEBUG off, a throwaway secret, ALLOWED_HOSTS 127.0.0.1) on a loopback port, with
``catalogue_urls.py`` adding ``/bare/``, a constant JSON view through the same middleware. A load
generator in this process (asyncio, one keep-alive connection per client, reconnecting when the
server closes it) keeps ``--clients`` requests in flight, each client sending its next request
when the last one's response has been read, for ``--warmup`` seconds unrecorded and then
``--seconds`` seconds recorded, page by page:

1. ``bare``: the yardstick;
2. ``search``: words and two filters, drawn per request from ``--queries`` different searches
   in the three languages (topic words, sometimes with an audience word, and two of customer,
   target group, municipality, service area and channel), by visitors without a session, as
   most visitors of the public pages are: a page asked for before since the catalogue last
   changed is served as it was kept (``allianssi.catalogue.pagecache``, in a folder of this
   run's own, empty at the start);
3. ``search_rendered``: the same searches by visitors with a session cookie, rendered for every
   request: what a search costs when it is not kept;
4. ``list``: the unfiltered list, the first page in each language;
5. ``service``: a published service's page, a different service and language each time.

Every latency is kept: requests/s, the median, p95 and p99 are computed from them. A response
fails when its status is not 200, or when a search page's count of services found is not what
the same search found through the selector before the server started. The CPU that gunicorn's
workers and PostgreSQL's processes used in the measured seconds is read from /proc and given a
request, and the share of pages that were kept ones is counted from a response header. The
goals (issue 12) are that the search reaches at least 10 % of the bare view's
requests/s with its p99 under 300 ms on PostgreSQL; the same is reported for SQLite. With
``--write-docs`` the results replace the ``catalogue`` block of docs/performance.md; they are also
kept as JSON in the temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import csv
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/allianssi_bench"
)
HOST = "127.0.0.1"
HIDDEN_REGION = "21"  # Åland: its alliance's catalogue is not public
PATHS = {"fi": "palvelut", "sv": "tjanster", "en": "services"}
#: The count of services found, as the search page shows it.
FOUND = re.compile(rb'id="results-heading">(\d+)')
START = dt.date(2026, 1, 1)

# The word lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A kind of service: its name and one-sentence summary in each language, the word people
    search it by in each language, its area, service classes and customers."""

    name: tuple[str, str, str]
    summary: tuple[str, str, str]
    word: tuple[str, str, str]
    area: str
    classes: tuple[str, ...]
    customers: str  # person, company or both


def _topic(names: str, summary: str, words: str, area: str, classes: str, customers: str) -> Topic:
    def three(text: str) -> tuple[str, str, str]:
        fi, sv, en = (part.strip() for part in text.split("|"))
        return fi, sv, en

    return Topic(
        three(names), three(summary), three(words), area, tuple(classes.split()), customers
    )


TOPICS = (
    _topic(
        "Työnhakuvalmennus | Jobbsökarcoachning | Job-search coaching",
        "Henkilökohtaista ja ryhmävalmennusta työnhakuun, hakemuksiin ja haastatteluihin. | "
        "Individuell coachning och gruppcoachning i jobbsökning, ansökningar och intervjuer. | "
        "One-to-one and group coaching for your job search, applications and interviews.",
        "työnhakuvalmennus | jobbsökarcoachning | coaching",
        "employment",
        "P10.1",
        "person",
    ),
    _topic(
        "Uravalmennus | Karriärcoachning | Career guidance",
        "Selvitä vahvuutesi ja tee urasuunnitelma valmentajan kanssa. | "
        "Kartlägg dina styrkor och gör en karriärplan med en coach. | "
        "Find your strengths and draw up a career plan with a coach.",
        "uravalmennus | karriärcoachning | career",
        "employment",
        "P10.2",
        "person",
    ),
    _topic(
        "Työkokeilu | Arbetsprövning | Work trial",
        "Kokeile työtä tai alaa aidolla työpaikalla ennen kuin sitoudut. | "
        "Pröva på ett arbete eller en bransch på en riktig arbetsplats. | "
        "Try out a job or a field at a real workplace before you commit.",
        "työkokeilu | arbetsprövning | trial",
        "employment",
        "P10.1 P10.7",
        "person",
    ),
    _topic(
        "Palkkatuettu työ | Lönesubventionerat arbete | Subsidised employment",
        "Työpaikka, jonka palkkakuluihin työnantaja saa tukea. | "
        "Ett jobb där arbetsgivaren får stöd för lönekostnaderna. | "
        "A job whose wage costs the employer gets support for.",
        "palkkatuettu | lönesubventionerat | subsidised",
        "employment",
        "P10.7",
        "person",
    ),
    _topic(
        "Työvalmennus | Jobbcoachning | Job coaching at work",
        "Valmentaja tukee sinua työpaikalla, kunnes työ sujuu. | "
        "En coach stöder dig på arbetsplatsen tills arbetet löper. | "
        "A coach supports you at the workplace until the work goes well.",
        "työvalmennus | jobbcoachning | workplace",
        "employment",
        "P10.4",
        "person",
    ),
    _topic(
        "Kuntouttava työtoiminta | Arbetsverksamhet i rehabiliteringssyfte | "
        "Rehabilitative work activity",
        "Arjen rytmiä ja työtehtäviä omaan tahtiin pienessä ryhmässä. | "
        "Rytm i vardagen och arbetsuppgifter i egen takt i en liten grupp. | "
        "A daily rhythm and work tasks at your own pace in a small group.",
        "kuntouttava | rehabiliteringssyfte | rehabilitative",
        "employment",
        "P10.4",
        "person",
    ),
    _topic(
        "Ammatillinen kuntoutus | Yrkesinriktad rehabilitering | Vocational rehabilitation",
        "Tukea työhön paluuseen, kun terveys rajoittaa työkykyä. | "
        "Stöd för att återgå i arbete när hälsan begränsar arbetsförmågan. | "
        "Support for returning to work when your health limits your work ability.",
        "kuntoutus | rehabilitering | rehabilitation",
        "employment",
        "P10.4",
        "person",
    ),
    _topic(
        "Kielikoulutus | Språkutbildning | Language training",
        "Suomen tai ruotsin kielen opetusta työelämän tarpeisiin. | "
        "Undervisning i finska eller svenska för arbetslivets behov. | "
        "Finnish or Swedish lessons for the needs of working life.",
        "kielikoulutus | språkutbildning | language",
        "employment",
        "P10.1 P6",
        "person",
    ),
    _topic(
        "Kotoutumiskoulutus | Integrationsutbildning | Integration training",
        "Kieltä, yhteiskuntatietoa ja työelämätaitoja Suomeen muuttaneille. | "
        "Språk, samhällskunskap och arbetslivsfärdigheter för dem som flyttat till Finland. | "
        "Language, civics and working-life skills for people who have moved to Finland.",
        "kotoutumiskoulutus | integrationsutbildning | integration",
        "employment",
        "P10.1 P22",
        "person",
    ),
    _topic(
        "Digitaitojen koulutus | Utbildning i digitala färdigheter | Digital skills training",
        "Opi käyttämään verkkopalveluja, sähköpostia ja tekstinkäsittelyä. | "
        "Lär dig använda e-tjänster, e-post och ordbehandling. | "
        "Learn to use online services, e-mail and word processing.",
        "digitaitojen | digitala | digital",
        "employment",
        "P10.1 P6",
        "person",
    ),
    _topic(
        "Mentorointi työnhakijoille | Mentorskap för arbetssökande | Mentoring for job-seekers",
        "Kokenut mentori jakaa verkostonsa ja neuvoo alasi työnhaussa. | "
        "En erfaren mentor delar sitt nätverk och ger råd om jobbsökning i din bransch. | "
        "An experienced mentor shares their network and advises on job-seeking in your field.",
        "mentorointi | mentorskap | mentoring",
        "employment",
        "P10.1 P10.2",
        "person",
    ),
    _topic(
        "Ohjaamo | Navigatorn | Ohjaamo guidance centre",
        "Matalan kynnyksen neuvontaa opiskeluun, työhön ja arkeen alle 30-vuotiaille. | "
        "Lågtröskelrådgivning om studier, arbete och vardag för personer under 30 år. | "
        "Low-threshold guidance on studies, work and everyday life for people under 30.",
        "ohjaamo | navigatorn | guidance",
        "vitality",
        "P28 P10.2",
        "person",
    ),
    _topic(
        "Velkaneuvonta | Skuldrådgivning | Debt counselling",
        "Apua velkojen järjestelyyn ja talouden suunnitteluun. | "
        "Hjälp med att ordna skulder och planera ekonomin. | "
        "Help with arranging debts and planning your finances.",
        "velkaneuvonta | skuldrådgivning | debt",
        "employment",
        "P15.1",
        "person",
    ),
    _topic(
        "Työttömyysturvaneuvonta | Rådgivning om utkomstskydd | Unemployment benefit advice",
        "Neuvoa työttömyysetuuksista ja niiden hakemisesta. | "
        "Råd om förmåner för arbetslösa och hur man ansöker om dem. | "
        "Advice on unemployment benefits and how to apply for them.",
        "työttömyysturvaneuvonta | utkomstskydd | unemployment",
        "employment",
        "P10.6",
        "person",
    ),
    _topic(
        "Koulutuskokeilu | Utbildningsprövning | Vocational taster course",
        "Tutustu ammatilliseen koulutukseen ennen hakemista. | "
        "Bekanta dig med en yrkesutbildning innan du söker. | "
        "Get to know a vocational programme before you apply.",
        "koulutuskokeilu | utbildningsprövning | taster",
        "employment",
        "P10.2 P6",
        "person",
    ),
    _topic(
        "Vertaisryhmä työnhakijoille | Kamratstödgrupp för arbetssökande | "
        "Peer group for job-seekers",
        "Tapaa muita työnhakijoita ja jaa kokemuksia ohjatussa ryhmässä. | "
        "Träffa andra arbetssökande och dela erfarenheter i en ledd grupp. | "
        "Meet other job-seekers and share experiences in a guided group.",
        "vertaisryhmä | kamratstödgrupp | peer",
        "employment",
        "P10.8",
        "person",
    ),
    _topic(
        "Rekrytointitapahtuma | Rekryteringsevenemang | Recruitment fair",
        "Työnantajat ja työnhakijat tapaavat kasvokkain. | "
        "Arbetsgivare och arbetssökande träffas ansikte mot ansikte. | "
        "Employers and job-seekers meet face to face.",
        "rekrytointitapahtuma | rekryteringsevenemang | fair",
        "employment",
        "P10.1 P12.2",
        "both",
    ),
    _topic(
        "Oppisopimuskoulutus | Läroavtalsutbildning | Apprenticeship",
        "Opiskele ammatti työn ohessa palkallisessa työsuhteessa. | "
        "Studera till ett yrke medan du arbetar i ett avlönat anställningsförhållande. | "
        "Learn a trade while you work in a paid job.",
        "oppisopimuskoulutus | läroavtalsutbildning | apprenticeship",
        "employment",
        "P6 P10.1",
        "both",
    ),
    _topic(
        "Yritysneuvonta | Företagsrådgivning | Business advice",
        "Maksutonta neuvontaa liiketoimintasuunnitelmaan, rahoitukseen ja lupiin. | "
        "Kostnadsfri rådgivning om affärsplan, finansiering och tillstånd. | "
        "Free advice on your business plan, funding and permits.",
        "yritysneuvonta | företagsrådgivning | advice",
        "business",
        "P11.1 P11.3",
        "both",
    ),
    _topic(
        "Omistajanvaihdospalvelu | Tjänster för ägarbyte | Business transfer service",
        "Apua yrityksen myyntiin, ostoon ja sukupolvenvaihdokseen. | "
        "Hjälp med att sälja eller köpa ett företag och med generationsskiften. | "
        "Help with selling or buying a company and with family successions.",
        "omistajanvaihdospalvelu | ägarbyte | transfer",
        "business",
        "P11.8",
        "company",
    ),
    _topic(
        "Kansainvälistymisneuvonta | Internationaliseringsrådgivning | Export advice",
        "Tukea vientiin ja uusille markkinoille. | "
        "Stöd för export och nya marknader. | "
        "Support for exporting and entering new markets.",
        "kansainvälistymisneuvonta | internationaliseringsrådgivning | export",
        "business",
        "P11.6 P11.7",
        "company",
    ),
    _topic(
        "Rekrytointipalvelu | Rekryteringstjänst | Recruitment service",
        "Apua osaajan löytämiseen: ilmoitukset, haastattelut ja palkkatuet. | "
        "Hjälp att hitta rätt person: annonser, intervjuer och lönesubventioner. | "
        "Help to find the right person: job ads, interviews and pay subsidies.",
        "rekrytointipalvelu | rekryteringstjänst | recruitment",
        "business",
        "P12.2",
        "company",
    ),
    _topic(
        "Liiketoiminnan kehittämispalvelu | Affärsutvecklingstjänst | Business development service",
        "Asiantuntija-apua myyntiin, markkinointiin ja tuottavuuteen. | "
        "Experthjälp med försäljning, marknadsföring och produktivitet. | "
        "Expert help with sales, marketing and productivity.",
        "kehittämispalvelu | affärsutvecklingstjänst | development",
        "business",
        "P11.3",
        "company",
    ),
    _topic(
        "Rahoitusneuvonta | Finansieringsrådgivning | Funding advice",
        "Neuvoa yritysrahoituksesta, avustuksista ja lainoista. | "
        "Råd om företagsfinansiering, bidrag och lån. | "
        "Advice on business funding, grants and loans.",
        "rahoitusneuvonta | finansieringsrådgivning | funding",
        "business",
        "P15.8",
        "company",
    ),
    _topic(
        "Henkilöstön osaamisen kehittäminen | Kompetensutveckling för personalen | "
        "Staff skills development",
        "Räätälöityä koulutusta yrityksen henkilöstölle. | "
        "Skräddarsydd utbildning för företagets personal. | "
        "Tailored training for a company's staff.",
        "osaamisen | kompetensutveckling | skills",
        "business",
        "P12.4",
        "company",
    ),
    _topic(
        "Yritysten verkostotapahtuma | Nätverksträff för företag | Business networking event",
        "Tapaa muita yrittäjiä ja löydä kumppaneita. | "
        "Träffa andra företagare och hitta partner. | "
        "Meet other entrepreneurs and find partners.",
        "verkostotapahtuma | nätverksträff | networking",
        "business",
        "P11.5",
        "company",
    ),
    _topic(
        "Tuotekehityksen sparraus | Sparring i produktutveckling | Product development sparring",
        "Asiantuntija auttaa tuotteen tai palvelun kehittämisessä. | "
        "En expert hjälper dig att utveckla en produkt eller tjänst. | "
        "An expert helps you develop a product or a service.",
        "tuotekehityksen | produktutveckling | product",
        "business",
        "P11.4",
        "company",
    ),
    _topic(
        "Palkkatukineuvonta työnantajille | Rådgivning om lönesubvention | Pay subsidy advice",
        "Neuvoa palkkatuesta ja muista rekrytointiin saatavista tuista. | "
        "Råd om lönesubvention och andra stöd vid rekrytering. | "
        "Advice on pay subsidies and other support for recruiting.",
        "palkkatukineuvonta | lönesubvention | subsidy",
        "business",
        "P12.1",
        "company",
    ),
    _topic(
        "Kesätyöseteli | Sommarjobbssedel | Summer job voucher",
        "Tuki nuoren kesätyöntekijän palkkaamiseen. | "
        "Stöd för att anställa en ung sommarjobbare. | "
        "Support for hiring a young summer worker.",
        "kesätyöseteli | sommarjobbssedel | summer",
        "vitality",
        "P10.1 P28",
        "both",
    ),
    _topic(
        "Matkailuyritysten kehittäminen | Utveckling av turistföretag | Tourism business support",
        "Tukea matkailupalvelujen tuotteistamiseen ja myyntiin. | "
        "Stöd för att produktifiera och sälja turisttjänster. | "
        "Support for packaging and selling tourism services.",
        "matkailuyritysten | turistföretag | tourism",
        "vitality",
        "P17.1 P11.3",
        "company",
    ),
    _topic(
        "Osaajien houkuttelu | Talangattraktion | Talent attraction",
        "Apua osaajien löytämiseen ulkomailta ja heidän asettumiseensa. | "
        "Hjälp att hitta talanger från utlandet och att de ska trivas. | "
        "Help to find talent from abroad and to help them settle in.",
        "houkuttelu | talangattraktion | talent",
        "vitality",
        "P22 P12.2",
        "both",
    ),
)

#: (name suffix in fi, sv, en; the word searched for in fi, sv, en; target group; terms)
PERSON_AUDIENCES: tuple[tuple[tuple[str, str, str], tuple[str, str, str], str, dict], ...] = (
    (("nuorille", "för unga", "for young people"), ("nuorille", "unga", "young"), "KR1.3",
     {"min_age": 15, "max_age": 29}),
    (("maahanmuuttajille", "för invandrare", "for immigrants"),
     ("maahanmuuttajille", "invandrare", "immigrants"), "KR1", {}),
    (("yli 55-vuotiaille", "för personer över 55 år", "for people over 55"),
     ("yli", "över", "over"), "KR1.1", {"min_age": 55}),
    (("osatyökykyisille", "för personer med partiell arbetsförmåga",
      "for people with partial work ability"),
     ("osatyökykyisille", "partiell", "partial"), "KR1.6", {}),
    (("pitkäaikaistyöttömille", "för långtidsarbetslösa", "for the long-term unemployed"),
     ("pitkäaikaistyöttömille", "långtidsarbetslösa", "long-term"), "KR1",
     {"jobseeker": "registered"}),
    (("korkeakoulutetuille", "för högutbildade", "for graduates"),
     ("korkeakoulutetuille", "högutbildade", "graduates"), "KR1", {}),
    (("lapsiperheiden vanhemmille", "för föräldrar i barnfamiljer", "for parents"),
     ("vanhemmille", "föräldrar", "parents"), "KR1.2", {}),
    (("", "", ""), ("", "", ""), "KR1", {}),
)  # fmt: skip
COMPANY_AUDIENCES: tuple[tuple[tuple[str, str, str], tuple[str, str, str], str, dict], ...] = (
    (("aloittaville yrittäjille", "för nya företagare", "for new entrepreneurs"),
     ("aloittaville", "nya", "entrepreneurs"), "KR2.8", {}),
    (("pienyrityksille", "för småföretag", "for small businesses"),
     ("pienyrityksille", "småföretag", "small"), "KR2.3", {"company_max_employees": 49}),
    (("kansainvälistyville yrityksille", "för företag som går ut i världen",
      "for companies going international"),
     ("kansainvälistyville", "världen", "international"), "KR2.1", {}),
    (("työnantajille", "för arbetsgivare", "for employers"),
     ("työnantajille", "arbetsgivare", "employers"), "KR2.6", {}),
    (("yhdistyksille", "för föreningar", "for associations"),
     ("yhdistyksille", "föreningar", "associations"), "KR2.7", {}),
    (("", "", ""), ("", "", ""), "KR2", {}),
)  # fmt: skip

#: Sentences of the descriptions, instructions and conditions: each (fi, sv, en).
DESCRIPTION = (
    ("Palvelu on maksuton, ja sen sisältö sovitaan yhdessä tarpeidesi mukaan.",
     "Tjänsten är avgiftsfri och innehållet avtalas tillsammans utifrån dina behov.",
     "The service is free of charge and its content is agreed together to suit your needs."),
    ("Tapaamiset järjestetään toimipisteessä, puhelimessa tai etäyhteydellä.",
     "Mötena ordnas på verksamhetsstället, per telefon eller på distans.",
     "Meetings take place at the office, by phone or online."),
    ("Asiantuntijamme tuntevat alueen työnantajat ja koulutusmahdollisuudet.",
     "Våra sakkunniga känner till regionens arbetsgivare och utbildningsmöjligheter.",
     "Our specialists know the region's employers and training opportunities."),
    ("Palvelu kestää tavallisesti kahdesta kuuteen kuukautta.",
     "Tjänsten pågår vanligtvis två till sex månader.",
     "The service usually lasts from two to six months."),
    ("Saat tukea myös arjen asioihin, kuten asumiseen ja talouteen.",
     "Du får stöd också i vardagliga frågor, som boende och ekonomi.",
     "You also get support with everyday matters such as housing and money."),
    ("Ryhmät kokoontuvat kerran viikossa, ja niissä on enintään kymmenen osallistujaa.",
     "Grupperna träffas en gång i veckan och har högst tio deltagare.",
     "The groups meet once a week with at most ten participants."),
    ("Palvelua tarjotaan suomeksi, ruotsiksi ja englanniksi.",
     "Tjänsten ges på finska, svenska och engelska.",
     "The service is offered in Finnish, Swedish and English."),
    ("Teemme yhteistyötä oppilaitosten, yritysten ja järjestöjen kanssa.",
     "Vi samarbetar med läroanstalter, företag och organisationer.",
     "We work with schools, companies and associations."),
    ("Jokainen asiakas saa oman yhteyshenkilön.",
     "Varje kund får en egen kontaktperson.",
     "Every customer gets a contact person of their own."),
    ("Palvelun jälkeen seuraamme, miten suunnitelmasi etenee.",
     "Efter tjänsten följer vi upp hur din plan framskrider.",
     "After the service we follow up on how your plan is going."),
    ("Palvelu on osa alueen kasvupalveluallianssin yhteistä palvelutarjontaa.",
     "Tjänsten är en del av regionens tillväxttjänstallians gemensamma utbud.",
     "The service is part of the regional growth-services alliance's joint offering."),
    ("Voit osallistua palveluun myös osa-aikaisen työn tai opiskelun ohessa.",
     "Du kan delta i tjänsten också vid sidan av deltidsarbete eller studier.",
     "You can take part alongside part-time work or studies."),
)  # fmt: skip
INSTRUCTIONS = (
    ("Jätä yhteydenottopyyntö, niin otamme sinuun yhteyttä kolmen arkipäivän kuluessa.",
     "Lämna en kontaktbegäran så kontaktar vi dig inom tre vardagar.",
     "Leave a contact request and we will get in touch within three working days."),
    ("Varaa aika puhelimitse tai verkossa.",
     "Boka tid per telefon eller på webben.",
     "Book an appointment by phone or online."),
    ("Voit tulla toimipisteeseen myös ilman ajanvarausta aukioloaikoina.",
     "Du kan också komma till verksamhetsstället utan tidsbokning under öppettiderna.",
     "You can also drop in at the office during opening hours."),
    ("Ota mukaan henkilöllisyystodistus ja ansioluettelo, jos sinulla on sellainen.",
     "Ta med identitetsbevis och cv om du har ett.",
     "Bring an identity document and your CV if you have one."),
)  # fmt: skip
CONDITIONS = (
    ("Palvelu on tarkoitettu työnhakijaksi ilmoittautuneille.",
     "Tjänsten är avsedd för anmälda arbetssökande.",
     "The service is for registered job-seekers."),
    ("Palveluun ohjataan työllistymissuunnitelman perusteella.",
     "Man hänvisas till tjänsten utifrån sysselsättningsplanen.",
     "You are referred to the service through your employment plan."),
    ("Yrityksellä on oltava Y-tunnus.",
     "Företaget ska ha ett FO-nummer.",
     "The company must have a business ID."),
)  # fmt: skip
STREETS = ("Kauppakatu", "Asemakatu", "Koulukatu", "Rantatie", "Puistokatu", "Kirkkokatu",
           "Teollisuustie", "Torikatu", "Satamakatu", "Hallituskatu")  # fmt: skip
COMPANY_WORDS = ("Työpolku", "Osaajat", "Kasvuvoima", "Uratie", "Taitotalo", "Verkosto",
                 "Yrityskehitys", "Polku", "Silta", "Startti", "Voimala", "Kompassi", "Suunta",
                 "Tekijät", "Ohjaus", "Avain")  # fmt: skip
ACCESSIBILITY = (
    ("Esteetön sisäänkäynti ja hissi.", "Tillgänglig ingång och hiss.",
     "Step-free entrance and a lift."),
    ("Induktiosilmukka neuvontapisteessä.", "Hörslinga vid informationsdisken.",
     "Hearing loop at the information desk."),
)  # fmt: skip


# The plan of the catalogue ----------------------------------------------------------------------


@dataclass
class Spec:
    """One service to make: its alliance's region, what it says and how to reach it."""

    region: str
    topic: int
    content: dict[str, Any]  # ServiceInput's fields but the parties
    municipalities: list[str]
    producer: int  # index into the region's producers (-1: the region's own unit)
    channels: list[dict[str, Any]]  # ChannelInput's fields
    replaced: bool = False  # has an earlier, replaced version
    words: tuple[str, str, str] = ("", "", "")  # the audience's search words


@dataclass
class Region:
    code: str
    name: tuple[str, str]
    municipalities: list[tuple[str, str, str, str]]  # (code, name_fi, name_sv, languages)
    producers: list[tuple[str, str]] = field(default_factory=list)  # (Y-tunnus, name)


def regions() -> dict[str, Region]:
    found: dict[str, Region] = {}
    with (ROOT / "allianssi/parties/data/municipalities-2024.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            region = found.setdefault(
                row["region_code"],
                Region(row["region_code"], (row["region_name_fi"], row["region_name_sv"]), []),
            )
            region.municipalities.append(
                (row["municipality_code"], row["name_fi"], row["name_sv"], row["languages"])
            )
    for region in found.values():
        region.municipalities.sort()
    return dict(sorted(found.items()))


def _business_ids(count: int) -> list[str]:
    from stdnum.fi import ytunnus

    found: list[str] = []
    number = 3100000
    while len(found) < count:
        number += 1
        for digit in range(10):
            if ytunnus.is_valid(f"{number}-{digit}"):
                found.append(f"{number}-{digit}")
                break
    return found


def plan(services: int, hidden: int, seed: int = 2026) -> tuple[dict[str, Region], list[Spec]]:
    """The regions with their producers, and the services spread over the mainland regions by
    their number of municipalities (``hidden`` more in Åland's non-public catalogue)."""
    rng = random.Random(seed)
    found = regions()
    ids = iter(_business_ids(sum(6 + len(r.municipalities) // 2 for r in found.values())))
    for region in found.values():
        for i in range(6 + len(region.municipalities) // 2):
            word = COMPANY_WORDS[(i + int(region.code)) % len(COMPANY_WORDS)]
            town = region.municipalities[i % len(region.municipalities)][1]
            region.producers.append((next(ids), f"{word} {town} Oy"))
    mainland = [r for r in found.values() if r.code != HIDDEN_REGION]
    weights = [len(r.municipalities) for r in mainland]
    places = rng.choices(mainland, weights, k=services) + [found[HIDDEN_REGION]] * hidden
    specs = [_spec(rng, region, i) for i, region in enumerate(places)]
    return found, specs


def _three(parts: tuple[str, str, str], suffix: tuple[str, str, str]) -> dict[str, str]:
    return {
        lang: f"{p} {s}".strip()
        for lang, p, s in zip(("fi", "sv", "en"), parts, suffix, strict=True)
    }


def _spec(rng: random.Random, region: Region, index: int) -> Spec:
    number = rng.randrange(len(TOPICS))
    topic = TOPICS[number]
    customers = topic.customers
    if customers == "both":
        customers = rng.choice(("person", "company", "both"))
    audiences = PERSON_AUDIENCES if customers != "company" else COMPANY_AUDIENCES
    suffix, words, group, terms = rng.choice(audiences)
    if customers == "both":
        terms = {k: v for k, v in terms.items() if k == "company_max_employees"}
    codes = [region.municipalities[i][0] for i in range(len(region.municipalities))]
    if topic.area == "business":
        served = codes  # the region organizes business services for all of it
    else:
        first = rng.randrange(len(codes))
        served = [codes[(first + i) % len(codes)] for i in range(rng.randint(1, 4))]
    names = _three(topic.name, suffix)
    chosen = rng.sample(range(len(DESCRIPTION)), rng.randint(3, 6))
    content: dict[str, Any] = {
        "service_area": topic.area,
        "for_persons": customers in ("person", "both"),
        "for_companies": customers in ("company", "both"),
        "target_groups": sorted({group, group.split(".")[0]}),
        "service_classes": list(topic.classes),
        "municipalities": served,
        "valid_from": START,
        "capacity_per_month": rng.choice((None, 20, 50, 120)),
        **terms,
    }
    chargeable = topic.area == "business" and rng.random() < 0.2
    for i, language in enumerate(("fi", "sv", "en")):
        content[f"name_{language}"] = names[language]
        content[f"summary_{language}"] = topic.summary[i]
        content[f"description_{language}"] = " ".join(
            [topic.summary[i], *(DESCRIPTION[c][i] for c in chosen)]
        )
        content[f"instructions_{language}"] = " ".join(
            INSTRUCTIONS[c][i] for c in rng.sample(range(len(INSTRUCTIONS)), 2)
        )
        if content.get("jobseeker") == "registered":
            content[f"conditions_{language}"] = CONDITIONS[0][i]
        elif content["for_companies"] and not content["for_persons"]:
            content[f"conditions_{language}"] = CONDITIONS[2][i]
        if chargeable:
            content["chargeable"] = True
            content[f"charge_{language}"] = ("80 € / tunti", "80 € / timme", "€80 an hour")[i]
    own = topic.area == "employment" and rng.random() < 0.15
    producer = -1 if own else rng.randrange(len(region.producers))
    return Spec(
        region=region.code,
        topic=number,
        content=content,
        municipalities=served,
        producer=producer,
        channels=_channels(rng, region, served, topic, index, three=index % 2 == 0),
        replaced=rng.random() < 0.1,
        words=words,
    )


def _hours(rng: random.Random) -> list[dict[str, Any]]:
    closes = rng.choice(("15:00", "16:00", "16:30"))
    return [{"day": d, "opens": "08:00", "closes": closes} for d in range(1, 6)]


def _channels(
    rng: random.Random, region: Region, served: list[str], topic: Topic, index: int, three: bool
) -> list[dict[str, Any]]:
    """Two or three ways to reach a service: a location in a municipality it serves, and a phone
    number, a web page or an e-service."""
    municipality = rng.choice([m for m in region.municipalities if m[0] in served])
    code, name_fi, name_sv, languages = municipality
    slug = f"palvelu{index}"
    location = {
        "kind": "location",
        "name_fi": f"{topic.name[0]}, {name_fi}",
        "name_sv": f"{topic.name[1]}, {name_sv}",
        "name_en": f"{topic.name[2]}, {name_fi}",
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
        "postal_code": f"{rng.randrange(10, 999) * 100:05d}",
        "municipality_code": code,
        "hours": _hours(rng),
        "languages": ["fi", "sv", "en"] if "sv" in languages else ["fi", "en"],
        "email": f"{slug}@example.fi",
        **{
            f"accessibility_{lang}": ACCESSIBILITY[index % 2][i]
            for i, lang in enumerate(("fi", "sv", "en"))
        },
    }
    phone = {
        "kind": "phone",
        "name_fi": "Palveluneuvonta",
        "name_sv": "Tjänsterådgivning",
        "name_en": "Service advice",
        "phone": f"+358 40 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "hours": _hours(rng),
        "languages": ["fi", "sv"] if "sv" in languages else ["fi"],
    }
    web = {
        "kind": rng.choice(("web_page", "e_service")),
        "name_fi": "Palvelun verkkosivu",
        "name_sv": "Tjänstens webbsida",
        "name_en": "The service's web page",
        "url": f"https://{slug}.example.fi/",
        "languages": ["fi", "sv", "en"],
    }
    if three:
        return [location, phone, web]
    return [location, rng.choice((phone, web))]


# The child: one database ------------------------------------------------------------------------


def _django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    django.setup()


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class World:
    """The alliances by region, each with its manager, organizer and producer organisations."""

    alliances: dict[str, Any] = field(default_factory=dict)
    managers: dict[str, Any] = field(default_factory=dict)
    region_orgs: dict[str, Any] = field(default_factory=dict)
    municipality_orgs: dict[str, Any] = field(default_factory=dict)
    producers: dict[str, list[Any]] = field(default_factory=dict)
    own_units: dict[str, Any] = field(default_factory=dict)


def build_alliances(found: dict[str, Region]) -> World:
    """One alliance a region, created by ``alliance_create``; members, organizing
    responsibilities, the implementation phase and the public catalogue written directly."""
    from django.db import transaction

    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance, MemberRole, Membership, Phase
    from allianssi.alliances.services import alliance_create
    from allianssi.catalogue.models import CatalogueSettings
    from allianssi.compliance.models import Assignment, Task
    from allianssi.parties.models import Municipality, Organisation, OrganisationKind
    from allianssi.parties.models import Region as RegionModel
    from allianssi.parties.services import organisation_for_region

    world = World()
    municipalities = {m.code: m for m in Municipality.objects.all()}
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                kind=OrganisationKind.MUNICIPALITY,
                name=municipalities[code].name_fi,
                municipality=municipalities[code],
            )
            for region in found.values()
            for code, *_rest in region.municipalities
        )
        world.municipality_orgs = {o.municipality.code: o for o in organisations}
        companies = Organisation.objects.bulk_create(
            Organisation(kind=OrganisationKind.COMPANY, name=name, business_id=business_id)
            for region in found.values()
            for business_id, name in region.producers
        )
        by_id = {o.business_id: o for o in companies}
        for region in found.values():
            world.producers[region.code] = [by_id[b] for b, _name in region.producers]
            first = world.municipality_orgs[region.municipalities[0][0]]
            world.own_units[region.code] = Organisation.objects.create(
                kind=OrganisationKind.OWN_UNIT,
                name=f"Työllisyyspalvelut {first.name}",
                parent=first,
            )
    for region in found.values():
        lead = organisation_for_region(actor=None, code=region.code)
        manager = User.objects.create_user(
            username=f"manager{region.code}", password=None, organisation=lead
        )
        alliance = alliance_create(
            actor=manager,
            name=f"Kasvupalveluallianssi {region.name[0]}",
            region=RegionModel.objects.get(code=region.code),
            term_start=START,
            term_end=dt.date(2029, 12, 31),
            service_areas=["employment", "business", "vitality"],
            started_on=START,
        )
        world.alliances[region.code] = alliance
        world.managers[region.code] = manager
        world.region_orgs[region.code] = lead
    with transaction.atomic():
        members, assignments = [], []
        for region in found.values():
            alliance = world.alliances[region.code]
            manager = world.managers[region.code]

            def member(organisation: Any, role: str, alliance: Any = alliance) -> Membership:
                return Membership(
                    alliance=alliance,
                    organisation=organisation,
                    role=role,
                    joined_on=START,
                    joined_in_phase=Phase.STRATEGY if role == "organizer" else Phase.FORMATION,
                )

            assignments.append(
                Assignment(
                    alliance=alliance,
                    organisation=world.region_orgs[region.code],
                    service_area="business",
                    task=Task.ORGANIZING,
                    assigned_by=manager,
                )
            )
            for code, *_rest in region.municipalities:
                organisation = world.municipality_orgs[code]
                members.append(member(organisation, MemberRole.ORGANIZER))
                assignments += [
                    Assignment(
                        alliance=alliance,
                        organisation=organisation,
                        service_area=area,
                        task=Task.ORGANIZING,
                        assigned_by=manager,
                    )
                    for area in ("employment", "vitality")
                ]
            members += [member(c, MemberRole.PRODUCER) for c in world.producers[region.code]]
            members.append(member(world.own_units[region.code], MemberRole.OWN_PRODUCTION))
        Membership.objects.bulk_create(members)
        Assignment.objects.bulk_create(assignments)
        Alliance.objects.filter(pk__in=[a.pk for a in world.alliances.values()]).update(
            phase=Phase.IMPLEMENTATION
        )
        CatalogueSettings.objects.bulk_create(
            CatalogueSettings(alliance=alliance, public=code != HIDDEN_REGION)
            for code, alliance in world.alliances.items()
        )
    for alliance in world.alliances.values():
        alliance.refresh_from_db()
    return world


def _parties(world: World, spec: Spec) -> tuple[list[int], list[int]]:
    """(responsible organizers, producers): the region for business services, else the
    municipalities served, each organizing them for its own people."""
    if spec.content["service_area"] == "business":
        responsible = [world.region_orgs[spec.region].pk]
    else:
        responsible = sorted(world.municipality_orgs[c].pk for c in spec.municipalities)
    if spec.producer < 0:
        producer = world.own_units[spec.region]
    else:
        producer = world.producers[spec.region][spec.producer]
    return responsible, [producer.pk]


def make_full(world: World, specs: list[Spec]) -> float:
    """The services through the whole service stack, as people make them; seconds taken."""
    from allianssi.catalogue.services import (
        ChannelInput,
        ServiceInput,
        service_channel_add,
        service_create,
        service_publish,
        service_submit,
    )

    started = time.perf_counter()
    for spec in specs:
        manager = world.managers[spec.region]
        responsible, producers = _parties(world, spec)
        version = service_create(
            actor=manager,
            alliance=world.alliances[spec.region],
            data=ServiceInput(responsible_ids=responsible, producer_ids=producers, **spec.content),
        )
        for channel in spec.channels:
            service_channel_add(actor=manager, version=version, data=ChannelInput(**channel))
        service_submit(actor=manager, version=version)
        service_publish(actor=manager, version=version)
    return time.perf_counter() - started


def make_bulk(world: World, specs: list[Spec]) -> float:
    """The services written with ``bulk_create`` in the shapes the services write, then indexed
    by ``search.index`` as publishing does; seconds taken."""
    from django.db import transaction
    from django.db.models import Max, Prefetch

    from allianssi.catalogue import search
    from allianssi.catalogue.models import (
        Channel,
        PartyRole,
        Provision,
        Service,
        ServiceParty,
        ServiceVersion,
        VersionStatus,
    )
    from allianssi.catalogue.services import ServiceInput
    from allianssi.core import clock
    from allianssi.parties.models import Municipality

    started = time.perf_counter()
    now = clock.now()
    earlier = now - dt.timedelta(days=120)
    municipalities = {m.code: m for m in Municipality.objects.all()}
    numbers = dict(Service.objects.values_list("alliance_id").annotate(n=Max("number")).order_by())
    for batch_start in range(0, len(specs), 1000):
        batch = specs[batch_start : batch_start + 1000]
        with transaction.atomic():
            services = []
            for spec in batch:
                alliance = world.alliances[spec.region]
                numbers[alliance.pk] = numbers.get(alliance.pk, 0) + 1
                services.append(Service(alliance=alliance, number=numbers[alliance.pk]))
            Service.objects.bulk_create(services)
            versions, parties, channels = [], [], []
            for spec, service in zip(batch, services, strict=True):
                manager = world.managers[spec.region]
                responsible, producers = _parties(world, spec)
                data = ServiceInput(
                    responsible_ids=responsible, producer_ids=producers, **spec.content
                ).content()
                statuses = [VersionStatus.PUBLISHED]
                if spec.replaced:
                    statuses.insert(0, VersionStatus.SUPERSEDED)
                for number, status in enumerate(statuses, start=1):
                    published = earlier if status == VersionStatus.SUPERSEDED else now
                    version = ServiceVersion(
                        alliance_id=service.alliance_id,
                        service=service,
                        version=number,
                        status=status,
                        created_by=manager,
                        submitted_by=manager,
                        submitted_at=published,
                        reviewed_by=manager,
                        reviewed_at=published,
                        published_at=published,
                        ended_at=now if status == VersionStatus.SUPERSEDED else None,
                        **data,
                    )
                    versions.append(version)
                    own = spec.producer < 0
                    parties += [
                        ServiceParty(
                            alliance_id=service.alliance_id,
                            version=version,
                            organisation_id=pk,
                            role=PartyRole.RESPONSIBLE,
                            provision="",
                        )
                        for pk in responsible
                    ] + [
                        ServiceParty(
                            alliance_id=service.alliance_id,
                            version=version,
                            organisation_id=producers[0],
                            role=PartyRole.PRODUCER,
                            provision=Provision.SELF_PRODUCED if own else Provision.PROCURED,
                        )
                    ]
                    for position, channel in enumerate(spec.channels, start=1):
                        fields = dict(channel)
                        code = fields.pop("municipality_code", "")
                        fields["hours"] = sorted(fields.get("hours", []), key=lambda r: r["day"])
                        fields["languages"] = sorted(set(fields["languages"]))
                        channels.append(
                            Channel(
                                alliance_id=service.alliance_id,
                                version=version,
                                position=position,
                                municipality=municipalities[code] if code else None,
                                **fields,
                            )
                        )
            ServiceVersion.objects.bulk_create(versions)
            ServiceParty.objects.bulk_create(parties)
            Channel.objects.bulk_create(channels)
            published = ServiceVersion.objects.filter(
                pk__in=[v.pk for v in versions if v.status == VersionStatus.PUBLISHED]
            ).prefetch_related(Prefetch("channels", queryset=Channel.objects.order_by("position")))
            for version in published:
                search.index(version)
        _log(f"bulk: {batch_start + len(batch):,} of {len(specs):,} services")
    return time.perf_counter() - started


# The searches -----------------------------------------------------------------------------------


FILTER_PAIRS = (
    ("municipality", "customer"),
    ("municipality", "group"),
    ("municipality", "channel"),
    ("group", "channel"),
    ("customer", "area"),
)


def searches(count: int, specs: list[Spec], seed: int = 7) -> list[tuple[str, dict[str, str]]]:
    """``count`` searches, each (language, parameters): a topic's word in the language, one in
    three with an audience's word too, and two filters drawn from what that kind of service
    has, so that most find something and some find nothing."""
    rng = random.Random(seed)
    visible = [s for s in specs if s.region != HIDDEN_REGION]
    found = []
    for i in range(count):
        spec = rng.choice(visible)  # a service someone looks for: its kind, audience and place
        language = ("fi", "sv", "en")[i % 3]
        index = ("fi", "sv", "en").index(language)
        words = [TOPICS[spec.topic].word[index]]
        if rng.random() < 1 / 3 and spec.words[index]:
            words.append(spec.words[index])
        values = {
            "municipality": rng.choice(spec.municipalities),
            "customer": "person" if spec.content["for_persons"] else "company",
            "group": rng.choice(spec.content["target_groups"]),
            "channel": rng.choice(spec.channels)["kind"],
            "area": spec.content["service_area"],
        }
        first, second = rng.choice(FILTER_PAIRS)
        found.append(
            (language, {"q": " ".join(words), first: values[first], second: values[second]})
        )
    return found


def search_counts(queries: list[tuple[str, dict[str, str]]]) -> list[int]:
    """How many services each search finds, through the page's own form and selector; every
    search's form must keep both its filters (the form drops a value it does not know)."""
    from django.utils import translation

    from allianssi.catalogue import selectors
    from allianssi.catalogue.forms import SearchForm
    from allianssi.catalogue.views import _all_municipalities

    municipalities = _all_municipalities()
    counts = []
    for language, params in queries:
        with translation.override(language):
            form = SearchForm(params, municipalities=municipalities)
            assert form.is_valid(), (params, form.errors)
            data = form.cleaned_data
            kept = {k: data[k] for k in params if k != "q"}
            assert kept == {k: v for k, v in params.items() if k != "q"}, (params, data)
            filters = selectors.Filters.of(data)
            counts.append(
                selectors.public_search(filters=filters, language=language).paginator.count
            )
    return counts


def word_counts() -> dict[str, int]:
    """How many public services each topic's word finds alone, in each language."""
    from allianssi.catalogue import search, selectors

    return {
        f"{language}:{topic.word[i]}": search.matching(
            selectors.public_services(), topic.word[i], language
        ).count()
        for topic in TOPICS
        for i, language in enumerate(("fi", "sv", "en"))
    }


# The server and the load ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(args: Any, folder: Path) -> Iterator[tuple[int, int]]:
    """gunicorn serving the project's WSGI application with the benchmark's settings on a
    loopback port; stopped (its own process, by its id) on the way out."""
    static = folder / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "catalogue_settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLIANSSI_IDENTITY_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLIANSSI_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "ALLIANSSI_BENCH_STATIC_ROOT": str(static),
        # Kept public pages in this run's own folder: every run starts with none.
        "ALLIANSSI_PAGE_CACHE_DIR": str(folder / "pages"),
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }
    env.pop("DJANGO_DEBUG", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "256",
        "--error-logfile",
        str(folder / "gunicorn.log"),
        "config.wsgi:application",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1) as s:
                    s.sendall(
                        b"GET /bare/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
                    )
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {folder / 'gunicorn.log'}")
            time.sleep(0.2)
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def _load(
    port: int,
    paths: list[str],
    clients: int,
    seconds: float,
    expected: dict[str, int],
    cookie: str = "",
) -> tuple[list[float], Counter, float, int]:
    """``clients`` closed-loop clients for ``seconds``: every latency, the failures by status
    (or exception, or a search page whose count of services found is not ``expected``), the
    time until the last response, and how many pages were kept ones (``pagecache``). A
    ``cookie`` is sent with every request, as a browser with a session sends its own."""
    latencies: list[float] = []
    failures: Counter = Counter()
    kept = 0
    deadline = time.perf_counter() + seconds
    headers = (
        "Host: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nUser-Agent: allianssi-bench\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    )

    async def client(number: int) -> None:
        nonlocal kept
        rng = random.Random(number)
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while time.perf_counter() < deadline:
            path = paths[rng.randrange(len(paths))]
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                assert reader is not None
                writer.write(f"GET {path} HTTP/1.1\r\n{headers}".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                fields = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(fields["content-length"]))
            except (OSError, asyncio.IncompleteReadError, KeyError, ValueError) as error:
                failures[type(error).__name__] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            latencies.append(time.perf_counter() - started)
            kept += fields.get("x-allianssi-page-cache") == "hit"
            if status != 200:
                failures[str(status)] += 1
            elif path in expected:
                found = FOUND.search(body)
                if found is None or int(found.group(1)) != expected[path]:
                    failures["wrong count"] += 1
            if fields.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, failures, time.perf_counter() - started, kept


def _cpu(master: int) -> tuple[float, float, float]:
    """CPU seconds used so far by gunicorn's workers, by PostgreSQL's processes, and by the
    whole machine less the benchmark's own processes (those and this one), read from /proc. A
    process that has ended counts in its parent's children's times (gunicorn's master,
    PostgreSQL's postmaster), so a backend that closes its connection is not lost."""
    ticks = os.sysconf("SC_CLK_TCK")
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # a process that ended while we looked
        fields = text.rpartition(")")[2].split()
        processes[int(stat.parent.name)] = (
            text[text.index("(") + 1 : text.rindex(")")],
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / ticks,
            (int(fields[13]) + int(fields[14])) / ticks,
        )
    workers = database = mine = 0.0
    for pid, (name, parent, used, children) in processes.items():
        if pid == master or parent == master:
            workers += used + (children if pid == master else 0.0)
        elif name == "postgres":
            postmaster = processes.get(parent, ("",))[0] != "postgres"
            database += used + (children if postmaster else 0.0)
        elif name == "redis-server":  # the shared cache, when a run has one (ADR 0033)
            database += used
        elif pid == os.getpid():
            mine += used
    with open("/proc/stat") as f:
        user, nice, system, _idle, _wait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    busy = (user + nice + system + irq + softirq + steal) / ticks
    return workers, database, busy - workers - database - mine


def load(
    port: int, master: int, paths: list[str], args: Any, expected: dict[str, int], cookie: str
) -> dict[str, Any]:
    asyncio.run(_load(port, paths, args.clients, args.warmup, expected, cookie))
    cpu, before = time.process_time(), _cpu(master)
    latencies, failures, elapsed, kept = asyncio.run(
        _load(port, paths, args.clients, args.seconds, expected, cookie)
    )
    cpu = time.process_time() - cpu
    server, database, others = (b - a for a, b in zip(before, _cpu(master), strict=True))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "kept": kept / len(latencies),
        "rps": len(latencies) / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "failures": dict(failures),
        "client_cpu": cpu / elapsed,
        "server_cpu_ms": server / len(latencies) * 1000,
        "database_cpu_ms": database / len(latencies) * 1000,
        "others_cpu": others / elapsed,
        "distinct_paths": len(set(paths)),
    }


def measure(args: Any) -> dict[str, Any]:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from allianssi.catalogue.models import Channel, Service, ServiceFacet, ServiceVersion
    from allianssi.catalogue.selectors import public_services

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    found, specs = plan(args.services, args.hidden)
    world = build_alliances(found)
    _log(f"{connection.vendor}: alliances made in {time.perf_counter() - started:.0f} s")
    visible, hidden = specs[: args.services], specs[args.services :]
    full = min(args.full_path, len(visible))
    head, tail = full // 2, len(visible) - (full - full // 2)
    first, rest, last = visible[:head], visible[head:tail], visible[tail:]
    full_seconds = make_full(world, first)
    _log(f"full path: {len(first)} services in {full_seconds:.1f} s")
    bulk_seconds = make_bulk(world, [*rest, *hidden])
    last_seconds = make_full(world, last)
    _log(f"full path: {len(last)} more at scale in {last_seconds:.1f} s")
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    public = public_services()
    ids = list(public.values_list("pk", flat=True))
    queries = searches(args.queries, visible)
    counts = search_counts(queries)
    words = word_counts()
    data = {
        "services_public": len(ids),
        "services": Service.objects.count(),
        "versions": ServiceVersion.objects.count(),
        "channels_public": Channel.objects.filter(version__service__in=public)
        .filter(version__status="published")
        .count(),
        "channels": Channel.objects.count(),
        "facets": ServiceFacet.objects.count(),
        "municipalities": len({c for s in visible for c in s.municipalities}),
        "alliances": len(world.alliances),
        "full_services": len(first) + len(last),
        "full_first_per_s": len(first) / full_seconds if first else 0.0,
        "full_last_per_s": len(last) / last_seconds if last else 0.0,
        "bulk_services": len(rest) + len(hidden),
        "bulk_s": bulk_seconds,
        "build_s": build_seconds,
        "results_median": statistics.median(counts),
        "results_zero": sum(1 for c in counts if c == 0) / len(counts),
        "results_max": max(counts),
        "word_min": min(words.values()),
        "word_median": statistics.median(words.values()),
        "word_max": max(words.values()),
    }
    _log(f"data: {json.dumps(data)}")
    rng = random.Random(3)
    pages = {
        "bare": ["/bare/"],
        "search": [
            f"/{PATHS[language]}/?{urllib.parse.urlencode(params)}" for language, params in queries
        ],
        # The same searches by visitors with a session: rendered for each request, never kept.
        "search_rendered": [
            f"/{PATHS[language]}/?{urllib.parse.urlencode(params)}" for language, params in queries
        ],
        "list": [f"/{path}/" for path in PATHS.values()],
        "service": [
            f"/{PATHS[rng.choice(list(PATHS))]}/{pk}/"
            for pk in rng.sample(ids, min(3000, len(ids)))
        ],
    }
    expected = dict(zip(pages["search"], counts, strict=True))
    cookies = {"search_rendered": "sessionid=benchmark-visitor"}
    results = load_pages(args, pages, cookies, expected)
    return {"database": connection.vendor, "data": data, "pages": results}


def load_pages(
    args: Any,
    pages: dict[str, list[str]],
    cookies: dict[str, str],
    expected: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Serve the project with gunicorn and load each page's paths in turn (``load``), with the
    page's cookie if it has one; the results by page."""
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory() as directory,
        gunicorn(args, Path(directory)) as (port, master),
    ):
        for name, paths in pages.items():
            results[name] = load(port, master, paths, args, expected or {}, cookies.get(name, ""))
            _log(f"{name}: {json.dumps(results[name])}")
    return results


# The parent -------------------------------------------------------------------------------------


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PAGE_NAMES = {
    "bare": "bare JSON view (yardstick)",
    "search": "search: words + two filters",
    "search_rendered": "the same, rendered for each request (visitors with a session)",
    "list": "list, unfiltered",
    "service": "a service's page",
}


def _goals(r: dict[str, Any]) -> tuple[float, bool, bool]:
    share = r["pages"]["search"]["rps"] / r["pages"]["bare"]["rps"]
    return share, share >= 0.10, r["pages"]["search"]["p99_ms"] < 300


def _cpu_cell(database: str, p: dict[str, Any]) -> str:
    if database != "postgresql":
        return f"{p['server_cpu_ms']:.2f}"
    return f"{p['server_cpu_ms']:.2f} + {p['database_cpu_ms']:.2f}"


def _full_minutes(d: dict[str, Any], services: int) -> float:
    """The full path's time for every service, its time per service growing in a straight line
    from the empty catalogue's to the full one's (the compliance guard reads every published
    service of the alliance at each publication)."""
    return services * (1 / d["full_first_per_s"] + 1 / d["full_last_per_s"]) / 2 / 60


def write_docs(results: list[dict[str, Any]], args: Any, seconds: float, commit: str) -> None:
    import gunicorn as gunicorn_package

    d = results[0]["data"]
    threads = f", {args.threads} threads each" if args.worker_class == "gthread" else ""
    rows = [
        f"Measured by `benchmarks/catalogue.py --services {args.services} --seconds "
        f"{args.seconds:g}` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores): gunicorn "
        f"{gunicorn_package.__version__}, {args.workers} {args.worker_class} workers{threads}, "
        f"{args.clients} concurrent clients on loopback, {args.warmup:g} s of warm-up and then "
        f"{args.seconds:g} s measured per page, at commit {commit}; the whole run took "
        f"{seconds / 60:.0f} minutes.",
        "",
        f"The catalogue: {d['services_public']:,} published services of {d['alliances'] - 1} "
        f"public alliances in {d['municipalities']} municipalities, with "
        f"{d['channels_public']:,} channels; in all {d['services']:,} services, "
        f"{d['versions']:,} versions, {d['channels']:,} channels and {d['facets']:,} search "
        f"facets, counting the replaced versions and a non-public alliance's catalogue.",
        "",
        "How the services were made, per database: "
        + "; ".join(
            f"{NAMES[r['database']]}: {r['data']['full_services']} through the full service "
            f"stack, {r['data']['full_first_per_s']:.1f}/s into the empty catalogue and "
            f"{r['data']['full_last_per_s']:.1f}/s at full size (all {args.services:,} that way "
            f"would take about {_full_minutes(r['data'], args.services):.0f} minutes), the other "
            f"{r['data']['bulk_services']:,} by `bulk_create` and `search.index` in "
            f"{r['data']['bulk_s']:.0f} s"
            for r in results
        )
        + ".",
        "",
        "| database | page | requests/s | ÷ bare | median ms | p95 ms | p99 ms | "
        "CPU ms a request (gunicorn + PostgreSQL) | kept pages | failed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        bare = r["pages"]["bare"]["rps"]
        for page, p in r["pages"].items():
            rows.append(
                f"| {NAMES[r['database']]} | {PAGE_NAMES[page]} | {p['rps']:,.0f} | "
                f"{p['rps'] / bare:.1%} | {p['median_ms']:.1f} | {p['p95_ms']:.1f} | "
                f"{p['p99_ms']:.1f} | {_cpu_cell(r['database'], p)} | {p.get('kept', 0):.0%} | "
                f"{sum(p['failures'].values())} |"
            )
    rows.append("")
    for r in results:
        share, fast_enough, quick = _goals(r)
        verdict = "met" if fast_enough and quick else "not met"
        rows.append(
            f"- {NAMES[r['database']]}: the search reaches {share:.1%} of the bare view's "
            f"requests/s (goal ≥ 10 %: {'yes' if fast_enough else 'no'}) with p99 "
            f"{r['pages']['search']['p99_ms']:.0f} ms (goal < 300 ms: "
            f"{'yes' if quick else 'no'}): {verdict}. Its searches find a median of "
            f"{r['data']['results_median']:.0f} services (at most {r['data']['results_max']:,}; "
            f"{r['data']['results_zero']:.1%} find none)."
            + "".join(
                f" {PAGE_NAMES[page].capitalize()}: failed "
                + ", ".join(f"{n} × {why}" for why, n in p["failures"].items())
                + "."
                for page, p in r["pages"].items()
                if p["failures"]
            )
        )
    rows += [
        "",
        f"A topic's word alone finds {d['word_min']}–{d['word_max']:,} services (median "
        f"{d['word_median']:.0f}, SQLite). The load generator used "
        f"{max(p['client_cpu'] for r in results for p in r['pages'].values()):.0%} of a core "
        "at most, on the same machine; other processes on the machine used up to "
        f"{max(p['others_cpu'] for r in results for p in r['pages'].values()):.2f} cores "
        "during the measured seconds.",
    ]
    common.write_block("catalogue", rows)


def _commit() -> str:
    """The commit measured, and whether the application's files differ from it."""

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - our own arguments
            ["git", *arguments],  # noqa: S607 - git from the PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    changed = git("status", "--porcelain", "--", "allianssi", "config")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--hidden", type=int, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--full-path", type=int, default=200)
    parser.add_argument("--queries", type=int, default=1000)
    common.add_server_arguments(parser)
    args = parser.parse_args()
    ran = common.run_on_databases(
        __file__, "catalogue", args, POSTGRES_URL, measure, write_docs, _commit
    )
    if ran is None:
        return
    results, seconds, commit = ran
    for r in results:
        print(NAMES[r["database"]], json.dumps(r["data"]))
        for page, p in r["pages"].items():
            print(
                f"  {page:8} {p['rps']:8,.1f} req/s  median {p['median_ms']:7.1f}  "
                f"p95 {p['p95_ms']:7.1f}  p99 {p['p99_ms']:7.1f} ms  "
                f"cpu {p['server_cpu_ms']:6.2f} ms  others {p['others_cpu']:.2f}  "
                f"failed {p['failures']}"
            )
    if args.write_docs:
        write_docs(results, args, seconds, commit)


if __name__ == "__main__":
    main()

"""The outcome types every alliance starts with (more can be added as data)."""

from django.db import migrations

TYPES = [
    # code, for, employment, Finnish, Swedish, English
    ("employed_open", "person", True, "Työllistyi avoimille työmarkkinoille",
     "Fick arbete på den öppna arbetsmarknaden", "Employed on the open labour market"),
    ("employed_part_time", "person", True, "Työllistyi osa-aikaisesti avoimille työmarkkinoille",
     "Fick deltidsarbete på den öppna arbetsmarknaden",
     "Employed part-time on the open labour market"),
    ("employed_subsidised", "person", True, "Työllistyi palkkatuella",
     "Fick arbete med lönesubvention", "Employed with a pay subsidy"),
    ("started_degree", "person", False, "Aloitti tutkintoon johtavan koulutuksen",
     "Inledde examensinriktad utbildning", "Started a degree or vocational training"),
    ("started_business", "person", False, "Aloitti yritystoiminnan",
     "Startade företagsverksamhet", "Started a business"),
    ("hired", "company", False, "Palkkasi työntekijöitä", "Anställde arbetstagare",
     "Hired employees"),
    ("grew_turnover", "company", False, "Kasvatti liikevaihtoaan", "Ökade sin omsättning",
     "Grew its turnover"),
    ("started_exporting", "company", False, "Aloitti viennin", "Inledde export",
     "Started exporting"),
]  # fmt: skip


def add(apps, schema_editor):
    OutcomeType = apps.get_model("outcomes", "OutcomeType")
    for position, (code, kind, employment, fi, sv, en) in enumerate(TYPES, start=1):
        OutcomeType.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "employment": employment,
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "position": position,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("outcomes", "OutcomeType").objects.filter(
        code__in=[t[0] for t in TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]

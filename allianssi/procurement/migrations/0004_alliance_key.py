"""The alliance key on ``AssessmentAnswer``, ``Award``, ``AwardCriterion``, ``BudgetShare``,
``Candidate``, ``Evaluator``, ``Lot``, ``Mandate``, ``NegotiationRound``,
``SelectionCriterion``, ``AwardedCandidate``, ``CandidateNote``, ``Conflict``, ``Score``,
``SelectionResult``: added empty, filled from each row's parent in one UPDATE per table, then
required (ADR 0021)."""

from django.db import migrations, models

#: Each model, the parent it belongs to its alliance through, and the on_delete of
#: the key (the parent chain's); a parent that gets the key here comes before its children.
PARENTS = {
    "assessmentanswer": ("assessment", models.PROTECT),
    "award": ("procurement", models.PROTECT),
    "awardcriterion": ("procurement", models.PROTECT),
    "budgetshare": ("procurement", models.PROTECT),
    "candidate": ("procurement", models.PROTECT),
    "evaluator": ("procurement", models.PROTECT),
    "lot": ("procurement", models.PROTECT),
    "mandate": ("go_decision", models.PROTECT),
    "negotiationround": ("procurement", models.PROTECT),
    "selectioncriterion": ("procurement", models.PROTECT),
    "awardedcandidate": ("award", models.PROTECT),
    "candidatenote": ("round", models.PROTECT),
    "conflict": ("evaluator", models.PROTECT),
    "score": ("evaluator", models.PROTECT),
    "selectionresult": ("candidate", models.PROTECT),
}


def backfill(apps, schema_editor):
    from allianssi.alliances.keyed import backfill

    backfill(apps, "procurement", {name: parent for name, (parent, _) in PARENTS.items()})
    if schema_editor.connection.vendor == "postgresql":
        # Check the filled foreign keys now, so that the next ALTER TABLE finds no pending
        # trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _field(on_delete, *, null):
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=on_delete,
        related_name="+",
        to="alliances.alliance",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0003_strategy_and_selection"),
        ("alliances", "0003_alter_alliancerole_role"),
    ]

    operations = [
        *(
            migrations.AddField(model, "alliance", _field(on_delete, null=True))
            for model, (_, on_delete) in PARENTS.items()
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        *(
            migrations.AlterField(model, "alliance", _field(on_delete, null=False))
            for model, (_, on_delete) in PARENTS.items()
        ),
    ]

"""A producer's queue with every state (``?state=all``), the oldest sent first.

``selectors.queue`` filters by the alliance and the producer, leaves the drafts out and orders by
the day sent; the index ``referral_queue`` leads with the state, so for every state PostgreSQL
sorted all of the producer's referrals for each page and counted them from the table. In the
order of the page, the first page is read off this index, and the count from it alone (the state
is its last column, for that). Measured by
``benchmarks/customers.py`` for a producer with 143 000 referrals: 300 ms of queries a page
before, 23 ms after (docs/performance.md, "Customers and referrals at national scale").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_revoked_draft_has_no_deadline"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["producer", "alliance", "sent_at", "id", "state"],
                name="referral_queue_every_state",
            ),
        ),
    ]

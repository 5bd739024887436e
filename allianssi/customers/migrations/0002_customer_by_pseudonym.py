"""The customers of a person across every alliance, by their pseudonym.

The person's own pages (``selectors.person_customers``, ``person_referral``,
``person_consent``) look a signed-in person up by the pseudonym alone, in every alliance, and the
path's shared steps join the alliance's customers by it; the index ``customer_pseudonym`` leads
with the alliance and serves neither, so each read scanned every customer (measured by
``benchmarks/customers.py``: docs/performance.md, "Customers and referrals at national scale").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["pseudonym"], name="customer_by_pseudonym"),
        ),
    ]

"""The commercial model, KPI results, settlements, approvals, billing details and invoices."""

import allianssi.core.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('alliances', '0002_governance_terms'),
        ('governance', '0004_proposal_kind_electorate'),
        ('parties', '0002_load_municipalities'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BillingDetails',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('business_id', models.CharField(blank=True, help_text='For a party registered without one (a region or municipality).', max_length=9, verbose_name='business ID (Y-tunnus)')),
                ('street', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                ('postal_code', models.CharField(blank=True, max_length=10, verbose_name='postal code')),
                ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                ('iban', models.CharField(blank=True, max_length=34, verbose_name='IBAN')),
                ('bic', models.CharField(blank=True, max_length=11, verbose_name='BIC')),
                ('ovt_suffix', models.CharField(blank=True, max_length=5, verbose_name='OVT suffix')),
                ('vat', models.CharField(choices=[('S', 'VAT at a rate'), ('E', 'Exempt from VAT'), ('O', 'Not subject to VAT')], default='S', max_length=1, verbose_name='VAT')),
                ('vat_rate', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='VAT rate (%)')),
                ('vat_reason', models.CharField(blank=True, max_length=200, verbose_name='VAT exemption reason')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='billing', to='parties.organisation')),
                ('updated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='CommercialTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('document', models.JSONField(verbose_name='terms')),
                ('reason', models.TextField(verbose_name='reason')),
                ('status', models.CharField(choices=[('proposed', "Awaiting the leadership group's decision"), ('in_force', 'In force'), ('rejected', 'Not decided')], max_length=20, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                ('in_force_at', models.DateTimeField(blank=True, null=True, verbose_name='in force from')),
                ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='terms', to='alliances.alliance')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('paying_organizer', models.ForeignKey(help_text="The organizer that pays the producers' invoices on behalf of every organizer and invoices each other organizer its funding share.", on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.organisation', verbose_name='paying organizer')),
                ('proposal', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.proposal', verbose_name='proposal')),
            ],
            options={
                'verbose_name': 'commercial terms',
                'verbose_name_plural': 'commercial terms',
                'ordering': ['alliance', 'year', 'version'],
            },
        ),
        migrations.CreateModel(
            name='KpiResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('kpi', models.CharField(max_length=50, verbose_name='KPI')),
                ('measured_on', models.DateField(verbose_name='period ends')),
                ('value', models.DecimalField(decimal_places=6, max_digits=18, verbose_name='value')),
                ('evidence', models.TextField(verbose_name='evidence')),
                ('source', models.CharField(default='entered', max_length=50, verbose_name='source')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='kpi_results', to='alliances.alliance')),
                ('entered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['alliance', 'kpi', 'measured_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Settlement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('kind', models.CharField(choices=[('interim', 'Interim'), ('final', 'Final')], max_length=10, verbose_name='kind')),
                ('start', models.DateField(verbose_name='period starts')),
                ('end', models.DateField(help_text='The first day after the period.', verbose_name='period ends')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('status', models.CharField(choices=[('draft', 'Draft, under review'), ('proposed', 'Awaiting approval'), ('approved', 'Approved'), ('rejected', 'Not approved')], max_length=10, verbose_name='status')),
                ('inputs', models.JSONField(verbose_name='inputs')),
                ('result', models.JSONField(verbose_name='result')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('computed_at', models.DateTimeField(verbose_name='computed')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='settlements', to='alliances.alliance')),
                ('computed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposal', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.proposal', verbose_name='proposal')),
                ('terms', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='settlements', to='settlement.commercialterms')),
            ],
            options={
                'ordering': ['alliance', '-start', 'end', '-version'],
            },
        ),
        migrations.CreateModel(
            name='Invoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=20, verbose_name='invoice number')),
                ('issued_on', models.DateField(verbose_name='invoice date')),
                ('due_on', models.DateField(verbose_name='due date')),
                ('reference', models.CharField(max_length=20, verbose_name='reference number')),
                ('lines', models.JSONField(verbose_name='lines')),
                ('net', allianssi.core.fields.CentsField(verbose_name='net amount (€)')),
                ('vat', allianssi.core.fields.CentsField(verbose_name='VAT (€)')),
                ('total', allianssi.core.fields.CentsField(verbose_name='total (€)')),
                ('seller_details', models.JSONField(verbose_name="seller's billing details")),
                ('buyer_details', models.JSONField(verbose_name="buyer's billing details")),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('alliance', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='alliances.alliance')),
                ('buyer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.organisation', verbose_name='buyer')),
                ('seller', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.organisation', verbose_name='seller')),
                ('settlement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='settlement.settlement')),
            ],
            options={
                'ordering': ['alliance', 'number'],
            },
        ),
        migrations.CreateModel(
            name='SettlementApproval',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('approved', models.BooleanField(verbose_name='approved')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parties.organisation')),
                ('settlement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='settlement.settlement')),
            ],
        ),
        migrations.AddConstraint(
            model_name='commercialterms',
            constraint=models.UniqueConstraint(fields=('alliance', 'year', 'version'), name='terms_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='commercialterms',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('alliance', 'year'), name='terms_one_proposed_per_year'),
        ),
        migrations.AddIndex(
            model_name='kpiresult',
            index=models.Index(fields=['alliance', 'year', 'kpi'], name='kpi_result_lookup'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.UniqueConstraint(fields=('alliance', 'start', 'end', 'version'), name='settlement_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'proposed'])), fields=('alliance', 'start', 'end'), name='settlement_one_open_version'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='settlement_period_order'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.UniqueConstraint(fields=('alliance', 'number'), name='invoice_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='settlementapproval',
            constraint=models.UniqueConstraint(fields=('settlement', 'organisation'), name='settlement_approval_once'),
        ),
    ]

"""The dashboards' summary of accepted figures (issue 8): one row per accepted report, filled here from
the reports already accepted and kept by the services from then on (ledgers/summaries.py)."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


BACKFILL = """
INSERT INTO ledgers_acceptedfigures (report_id, town_id, period, figures)
SELECT r.id, r.town_id, r.period,
       ARRAY(
           SELECT ROUND(v.value * 100)::bigint
           FROM generate_series(1, (SELECT COALESCE(MAX(id), 1) FROM ledgers_indicator)) AS g(i)
           LEFT JOIN ledgers_reportvalue v ON v.report_id = r.id AND v.indicator_id = g.i
           ORDER BY g.i
       )
FROM ledgers_monthlyreport r
WHERE r.status = 'accepted'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0005_cadence_rules_default'),
        ('ledgers', '0004_validation_rules'),
    ]

    operations = [
        migrations.CreateModel(
            name='AcceptedFigures',
            fields=[
                ('report', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='ledgers.monthlyreport')),
                ('period', models.DateField()),
                ('figures', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(null=True), size=None)),
                ('town', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coordination.town')),
            ],
            options={
                'verbose_name': '已验收数据汇总',
                'verbose_name_plural': '已验收数据汇总',
                'indexes': [models.Index(fields=['period', 'town'], include=('figures',), name='acceptedfigures_period'), models.Index(fields=['town', 'period'], include=('figures',), name='acceptedfigures_town')],
            },
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]

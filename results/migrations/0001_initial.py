"""The results app takes over the decisions and ranking snapshots from the jury app.

The tables stay where they are (``jury_rankingsnapshot``, ``jury_decision``, named in the
models' ``db_table``): this migration only tells Django's state that the models are the
results app's now. No row is copied or touched; ``jury.0002`` removes them from the jury
app's state. On a new database ``jury.0001`` creates the tables as before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('jury', '0001_initial'),
        ('awards', '0003_jury_and_results'),
        ('submissions', '0005_reference_unique_per_award'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RankingSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.JSONField(default=dict)),
                        ('rows', models.JSONField(default=list)),
                        ('digest', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('award', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ranking_snapshots', to='awards.award')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='awards.category')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='awards.round')),
                    ],
                    options={
                        'verbose_name': 'ranking snapshot',
                        'verbose_name_plural': 'ranking snapshots',
                        'db_table': 'jury_rankingsnapshot',
                        'ordering': ['award', 'category', '-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Decision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('place', 'Place'), ('mention', 'Special mention')], default='place', max_length=16, verbose_name='kind')),
                        ('place', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='place')),
                        ('justification', models.TextField(blank=True, verbose_name='justification')),
                        ('decided_at', models.DateTimeField(verbose_name='decided at')),
                        ('award', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='awards.award')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='awards.category')),
                        ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='submissions.submission')),
                        ('snapshot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='results.rankingsnapshot')),
                    ],
                    options={
                        'verbose_name': 'decision',
                        'verbose_name_plural': 'decisions',
                        'db_table': 'jury_decision',
                        'ordering': ['award', 'category__position', 'kind', 'place', 'pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'place')), fields=('category', 'place'), name='decision_one_entry_per_place'), models.UniqueConstraint(fields=('category', 'submission'), name='decision_one_per_submission'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'place'), ('place__gte', 1), ('place__lte', 3)), models.Q(('kind', 'mention'), ('place__isnull', True)), _connector='OR'), name='decision_place_or_mention')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

"""Decisions and ranking snapshots now belong to the results app (``results.0001``).

State only: the tables ``jury_decision`` and ``jury_rankingsnapshot`` and every row in them
stay; the results app's models name them in ``db_table``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("jury", "0001_initial"),
        ("results", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Decision"),
                migrations.DeleteModel(name="RankingSnapshot"),
            ],
            database_operations=[],
        ),
    ]

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("submissions", "0003_backfill_organisations")]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="submissions",
                to="submissions.organisation",
                verbose_name="organisation",
            ),
        ),
    ]

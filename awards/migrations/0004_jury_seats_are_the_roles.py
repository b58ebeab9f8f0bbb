"""A seat on the jury is the jury app's ``Juror`` row alone: the award roles "juror" and
"jury chair" that mirrored it are removed.

Every seat keeps its role on ``jury.Juror.role``; an award role without a seat opened
nothing (the jury pages need the seat) and is dropped with the rest. Organiser roles stay.
"""

from django.conf import settings
from django.db import migrations, models




def drop_jury_roles(apps, schema_editor):
    AwardRole = apps.get_model("awards", "AwardRole")
    AwardRole.objects.filter(role__in=["juror", "jury_chair"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('awards', '0003_jury_and_results'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Irreversible in content: backwards, the roles are not recreated (the seats say it).
        migrations.RunPython(drop_jury_roles, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='awardrole',
            name='award_role_valid',
        ),
        migrations.AlterField(
            model_name='awardrole',
            name='role',
            field=models.CharField(choices=[('organiser', 'Organiser')], max_length=16, verbose_name='role'),
        ),
        migrations.AddConstraint(
            model_name='awardrole',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['organiser'])), name='award_role_valid'),
        ),
    ]

"""The fixed entry fields are gone: their answers live in Submission.answers (0009)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("submissions", "0009_standard_form"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='submission',
            name='submission_trl_1_9',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='description',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='future_potential',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='innovation',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='lightweight',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='market_readiness',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='team',
        ),
        migrations.RemoveField(
            model_name='submission',
            name='video_url',
        ),    ]

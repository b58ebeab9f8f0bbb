from django.db import migrations


def backfill(apps, schema_editor):
    """Entries made before organisations existed belong to an organisation of their author."""
    Submission = apps.get_model("submissions", "Submission")
    Organisation = apps.get_model("submissions", "Organisation")
    Membership = apps.get_model("submissions", "Membership")
    by_user = {}
    for submission in Submission.objects.filter(organisation__isnull=True).select_related(
        "created_by"
    ):
        organisation = by_user.get(submission.created_by_id)
        if organisation is None:
            user = submission.created_by
            organisation = Organisation.objects.create(name=user.full_name or user.email)
            Membership.objects.create(organisation=organisation, user=user, role="owner")
            by_user[user.pk] = organisation
        submission.organisation = organisation
        submission.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_applicant_journey")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

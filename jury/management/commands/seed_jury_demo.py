from core.commands import DemoCommand
from jury.demo import NAME, jury_demo_create
from submissions.enums import PreviewStatus
from submissions.models import Attachment
from submissions.services import attachment_previews_render


class Command(DemoCommand):
    help = (
        "Create an award edition in judging for trying out the jury (entries, jurors, an open "
        "round with assignments, some reviews). Safe to run again: nothing is duplicated."
    )

    def create(self) -> None:
        award = jury_demo_create()
        # The dossiers' page images, rendered here rather than by the task: in development
        # the worker may not be running, and the demo should show documents to read at once.
        for pk in Attachment.objects.filter(
            submission__award=award, preview_status=PreviewStatus.PENDING
        ).values_list("pk", flat=True):
            attachment_previews_render(attachment_id=pk)
        self.stdout.write(self.style.SUCCESS(f"Jury demo is ready: {NAME} /jury/{award.slug}/"))
        self.stdout.write(
            "  jurors juror1..juror9@laurel.example (juror1-3 start with the onboarding), "
            "organiser@laurel.example"
        )

from core.commands import DemoCommand
from jury.demo import NAME, jury_demo_create


class Command(DemoCommand):
    help = (
        "Create an award edition in judging for trying out the jury (entries, jurors, an open "
        "round with assignments, some reviews). Safe to run again: nothing is duplicated."
    )

    def create(self) -> None:
        award = jury_demo_create()
        self.stdout.write(self.style.SUCCESS(f"Jury demo is ready: {NAME} /jury/{award.slug}/"))
        self.stdout.write(
            "  jurors juror1..juror9@laurel.example (juror1-3 start with the onboarding), "
            "organiser@laurel.example"
        )

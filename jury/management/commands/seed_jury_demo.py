from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jury.demo import NAME, jury_demo_create


class Command(BaseCommand):
    help = (
        "Create an award edition in judging for trying out the jury (entries, jurors, an open "
        "round with assignments, some reviews). Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_jury_demo creates demo accounts; with DEBUG off it needs --force."
            )
        award = jury_demo_create()
        self.stdout.write(self.style.SUCCESS(f"Jury demo is ready: {NAME} /jury/{award.slug}/"))
        self.stdout.write(
            "  jurors juror1..juror9@laurel.example (juror1-3 start with the onboarding), "
            "organiser@laurel.example"
        )

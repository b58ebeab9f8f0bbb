from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from results.demo import results_2023_create


class Command(BaseCommand):
    help = (
        "Give the demo's published 2023 edition its winners (run after seed_demo). Safe to "
        "run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_results_demo creates demo accounts; with DEBUG off it needs --force."
            )
        earlier = results_2023_create()
        if earlier is not None:
            self.stdout.write(f"Published results: {earlier} /awards/{earlier.slug}/results/")

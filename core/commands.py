"""The base of the commands that create demo data."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class DemoCommand(BaseCommand):
    """Creates demo data with demo accounts (whose password is published), once: running it
    again duplicates nothing. Refuses to run with DEBUG off unless given ``--force``.
    Subclasses implement ``create()``."""

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a published password).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                f"{self.name} creates accounts with a published password; with DEBUG off "
                "it needs --force."
            )
        with transaction.atomic():
            self.create()

    @property
    def name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def create(self) -> None:
        raise NotImplementedError

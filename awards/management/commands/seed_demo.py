from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from awards import demo
from awards.models import Award
from awards.services import award_role_grant


class Command(BaseCommand):
    help = (
        "Create the Lightweight Innovation Award demo (2023 edition and an open current "
        "edition) with demo accounts. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a published password).",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; with DEBUG off it "
                "needs --force."
            )
        awards = [
            self._award(demo.EDITION_2023),
            self._award(demo.current_edition(timezone.now())),
        ]
        users = {}
        for email, full_name, role in demo.USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={"full_name": full_name, "email_verified_at": timezone.now()},
            )
            if created:
                user.set_password(demo.DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users[email] = user
            if role:
                for award in awards:
                    award_role_grant(award=award, user=user, role=role, actor=None)
                    if role == "jury_chair":
                        award_role_grant(award=award, user=user, role="juror", actor=None)

        self.stdout.write(self.style.SUCCESS("Demo data is ready:"))
        for award in awards:
            self.stdout.write(f"  {award} ({award.get_status_display()}) /awards/{award.slug}/")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for email, _full_name, role in demo.USERS:
            self.stdout.write(f"  {email:<34} {role or 'applicant'}")

    def _award(self, edition: dict) -> Award:
        return demo.demo_award_create(edition)

from django.utils import timezone

from awards import demo
from awards.enums import AwardRoleKind
from awards.models import Award
from awards.services import award_role_grant
from core.commands import DemoCommand


class Command(DemoCommand):
    help = (
        "Create the Lightweight Innovation Award demo (2023 edition and an open current "
        "edition) with demo accounts. Safe to run again: nothing is duplicated."
    )

    def create(self) -> None:
        awards = [
            self._award(demo.EDITION_2023),
            self._award(demo.current_edition(timezone.now())),
        ]
        users = {}
        for email, full_name, role in demo.USERS:
            user = demo.demo_user(email, full_name)
            users[email] = user
            if role == AwardRoleKind.ORGANISER:
                for award in awards:
                    award_role_grant(award=award, user=user, role=role, actor=None)

        self.stdout.write(self.style.SUCCESS("Demo data is ready:"))
        for award in awards:
            self.stdout.write(f"  {award} ({award.get_status_display()}) /awards/{award.slug}/")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for email, _full_name, role in demo.USERS:
            self.stdout.write(f"  {email:<34} {role or 'applicant'}")

    def _award(self, edition: dict) -> Award:
        return demo.demo_award_create(edition)

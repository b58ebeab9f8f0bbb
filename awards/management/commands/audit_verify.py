from django.core.management.base import BaseCommand, CommandError

from awards.models import Award
from awards.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of every award's change log (or of one, by slug)."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="Only this award.")

    def handle(self, *args, slug: str | None = None, **options):
        awards = Award.objects.order_by("pk")
        if slug:
            awards = awards.filter(slug=slug)
            if not awards.exists():
                raise CommandError(f"No award with the slug {slug!r}.")
        broken_total = 0
        for award in awards:
            broken = audit_verify(award=award)
            broken_total += len(broken)
            for entry in broken:
                when = entry.created_at.isoformat(timespec="seconds")
                self.stderr.write(
                    f"{award.slug}: entry {entry.pk} ({entry.action}, {when}) "
                    "does not match the chain"
                )
            if not broken:
                self.stdout.write(f"{award.slug}: {award.audit_entries.count()} entries, intact")
        if broken_total:
            raise CommandError(f"{broken_total} change-log entries were altered or removed.")

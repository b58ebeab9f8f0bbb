from certificates.demo import certificate_design_demo_create
from core.commands import DemoCommand


class Command(DemoCommand):
    help = (
        "Give the scored demo edition a certificate design that includes every participant "
        "(run after seed_results_demo). Safe to run again: nothing is duplicated."
    )

    def create(self) -> None:
        design = certificate_design_demo_create()
        if design is None:
            self.stdout.write("No scored demo edition: run seed_results_demo first.")
            return
        self.stdout.write(
            f"Certificates for every participant: /manage/{design.award.slug}/certificates/"
        )

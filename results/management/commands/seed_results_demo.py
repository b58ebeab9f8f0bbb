from core.commands import DemoCommand
from results.demo import results_2023_create, scored_demo_create


class Command(DemoCommand):
    help = (
        "Give the demo's published 2023 edition its winners and create an edition whose "
        "first round a jury with two planted severe jurors has scored (run after "
        "seed_demo). Safe to run again: nothing is duplicated."
    )

    def create(self) -> None:
        earlier = results_2023_create()
        if earlier is not None:
            self.stdout.write(f"Published results: {earlier} /awards/{earlier.slug}/results/")
        scored = scored_demo_create()
        self.stdout.write(f"Scored round to decide on: {scored} /manage/{scored.slug}/results/")

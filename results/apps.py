from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        from . import cockpit

        cockpit.register()  # the results' panel of the edition overview

        from submissions import outcome_parts

        from .outcome import feedback_parts

        outcome_parts.register("results.feedback", feedback_parts)  # the applicant's pages

        from jury.signals import round_work_changed

        round_work_changed.connect(_queue_robustness, dispatch_uid="results.robustness")


def _queue_robustness(sender, *, round, **kwargs) -> None:
    """A round's submitted reviews changed: its robustness is computed again once the
    burst of changes has settled."""
    from awards.enums import RoundMethod

    from .selectors.figures import robustness_refresh_queue

    if round.method == RoundMethod.SCORES:
        robustness_refresh_queue(round)

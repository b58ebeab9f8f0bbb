from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from accounts.landing import landing_register

        from . import landing

        # An organiser lands on the edition they managed last, before any other home.
        landing_register("awards.organiser", rank=10, landing=landing.organiser_landing)
        user_logged_out.connect(landing.on_logout, dispatch_uid="awards.landing.on_logout")

        # The landing page shows the public awards with their categories and criteria: a
        # change of any renders it again for anonymous visitors; the "my awards" switcher
        # names the awards a user manages (core.pagecache).
        from django.db.models.signals import post_delete, post_save

        from .models import Award, AwardRole, Category, Criterion

        for model, scopes in (
            (Award, ("landing", "navigation")),
            (Category, ("landing",)),
            (Criterion, ("landing",)),
            (AwardRole, ("navigation",)),
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    _renewer(scopes), sender=model, weak=False, dispatch_uid=f"pages.{model}"
                )


def _renewer(scopes: tuple[str, ...]):
    def renew(sender, **kwargs) -> None:
        from core import pagecache

        pagecache.renew_on_commit(*scopes)

    return renew

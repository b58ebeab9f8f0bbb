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
        from core.pagecache import renew_when_changed

        from .models import Award, AwardRole, Category, Criterion

        renew_when_changed(Award, lambda _: ("landing", "navigation"), uid="pages.award")
        renew_when_changed(Category, lambda _: ("landing",), uid="pages.category")
        renew_when_changed(Criterion, lambda _: ("landing",), uid="pages.criterion")
        renew_when_changed(AwardRole, lambda _: ("navigation",), uid="pages.award_role")

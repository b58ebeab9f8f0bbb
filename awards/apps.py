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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    name = "jury"
    verbose_name = _("Jury")

    def ready(self) -> None:
        from accounts.landing import landing_register
        from notifications.audiences import audience_register
        from notifications.enums import Audience

        from . import cockpit, selectors
        from .landing import juror_landing

        audience_register(Audience.JURORS, selectors.jurors_of_award)
        # After an organiser's edition, before an applicant's entries.
        landing_register("jury.juror", rank=20, landing=juror_landing)
        cockpit.register()  # the jury's panel of the edition overview, names in its log

        # The "my awards" switcher lists the juries a user sits on (core.pagecache).
        from core.pagecache import renew_when_changed

        from .models import Juror

        renew_when_changed(Juror, lambda _: ("navigation",), uid="pages.juror")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuryConfig(AppConfig):
    name = "jury"
    verbose_name = _("Jury")

    def ready(self) -> None:
        from notifications.audiences import audience_register
        from notifications.enums import Audience

        from . import selectors

        audience_register(Audience.JURORS, selectors.jurors_of_award)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from notifications.audiences import audience_register
        from notifications.enums import Audience

        from . import selectors

        audience_register(Audience.APPLICANTS, selectors.applicants_of_award)
        audience_register(Audience.CATEGORY_APPLICANTS, selectors.applicants_of_category)

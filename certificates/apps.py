from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from results.signals import results_published
        from submissions import outcome_parts

        from .selectors import certificate_outcome_parts

        results_published.connect(
            _issue_on_publication, dispatch_uid="certificates.issue_on_publication"
        )
        outcome_parts.register("certificates", certificate_outcome_parts)


def _issue_on_publication(sender, award, **kwargs) -> None:
    """The results of ``award`` are public: issue its certificates (by task; a broker that is
    down leaves it to the sweeper)."""
    from core.queue import enqueue

    from .tasks import issue_certificates

    enqueue(issue_certificates, award.pk)

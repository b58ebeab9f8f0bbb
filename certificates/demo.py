"""Demo certificates: the scored demo edition issues a certificate to every participant, so
that after deciding and publishing it an applicant without a distinction has one too."""

from __future__ import annotations

from awards.models import Award

from .models import CertificateDesign

# The results demo's scored edition (results.demo.SCORED_SLUG; a string, not an import of
# the app below: the slug is all this needs).
SCORED_SLUG = "lightweight-innovation-award-results-demo"


def certificate_design_demo_create() -> CertificateDesign | None:
    """The scored demo edition's design, once: participants included, signed by the demo's
    organiser. None when that edition does not exist (run ``seed_results_demo`` first)."""
    award = Award.objects.filter(slug=SCORED_SLUG).first()
    if award is None:
        return None
    design, _created = CertificateDesign.objects.get_or_create(
        award=award,
        defaults={
            "issue_finalists": True,
            "issue_participants": True,
            "signatory_name": "Olga Organiser",
            "signatory_role_de": "Organisationsteam",
            "signatory_role_en": "Organising team",
        },
    )
    return design

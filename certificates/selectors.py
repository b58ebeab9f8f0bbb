"""Reads of certificates: the organisers' list, the public verification, and the certificate
on an applicant's entry page and dashboard. Fixed numbers of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from accounts.models import User
from awards.models import Award
from results.selectors.public import VISIBLE
from submissions.models import Submission
from submissions.outcome_parts import OutcomePart

from .enums import CertificateKind
from .models import Certificate

PAGE_SIZE = 100


def certificate_counts(award: Award) -> dict[str, int]:
    """How many certificates are valid, still to be drawn, and revoked (1 query)."""
    return Certificate.objects.filter(award=award).aggregate(
        valid=Count("pk", filter=Q(revoked_at__isnull=True)),
        pending=Count("pk", filter=Q(revoked_at__isnull=True, generated_at__isnull=True)),
        revoked=Count("pk", filter=Q(revoked_at__isnull=False)),
    )


KIND_ORDER = {
    CertificateKind.WINNER: 0,
    CertificateKind.PLACE: 1,
    CertificateKind.MENTION: 2,
    CertificateKind.FINALIST: 3,
    CertificateKind.PARTICIPANT: 4,
}


def certificate_page(award: Award, number: str | int | None) -> Page:
    """One page of the award's certificates, valid ones first, with entry, company and
    category (2 queries: count and page)."""
    rows = (
        Certificate.objects.filter(award=award)
        .select_related("submission__organisation", "submission__category", "revoked_by")
        .order_by("revoked_at", "submission__category__position", "kind", "place", "pk")
    )
    return Paginator(rows, PAGE_SIZE).get_page(number)


def certificate_of_award(award: Award, pk: int) -> Certificate | None:
    return (
        Certificate.objects.filter(award=award, pk=pk)
        .select_related("submission__organisation", "submission__category")
        .first()
    )


# --- The public verification ---------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public verification page says about one certificate."""

    certificate: Certificate
    award: Award
    # Empty unless the public results name the entry: a visible distinction whose company
    # agreed to publication. Otherwise a reader confirms the name printed on the paper by
    # typing it (``names``): the page reveals nothing a reader does not already hold.
    company: str
    category: str
    title: str
    revoked: bool
    holder: str  # the company's name, never shown: what a typed name is compared with

    def names(self, typed: str) -> bool:
        """Whether ``typed`` is the company's name (case, spacing and quotes aside)."""
        return bool(typed.strip()) and _name_key(typed) == _name_key(self.holder)


def _name_key(name: str) -> str:
    quotes = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'"})
    return " ".join(name.translate(quotes).casefold().split())


def verification(public_id: str) -> Verification | None:
    """The certificate numbered ``public_id`` as the public may see it, or None: unknown, or
    its award's results not public (2 queries).

    The page says what the certificate attests; it names the company and the entry's title
    only where the public results name them: a public distinction of an entry whose company
    agreed to publication. Otherwise the reader types the name printed on the paper and the
    page confirms it or not."""
    certificate = (
        Certificate.objects.filter(public_id=public_id)
        .select_related("award", "submission__organisation", "submission__category")
        .first()
    )
    if certificate is None or not certificate.award.results_are_public():
        return None
    submission = certificate.submission
    on_public_results = (
        submission.consent_publication
        and certificate.kind
        in (CertificateKind.WINNER, CertificateKind.PLACE, CertificateKind.MENTION)
        and submission.decisions.filter(VISIBLE, award=certificate.award).exists()
    )
    return Verification(
        certificate=certificate,
        award=certificate.award,
        company=submission.organisation.name if on_public_results else "",
        category=submission.category.name,
        title=submission.title if on_public_results else "",
        revoked=certificate.revoked_at is not None,
        holder=submission.organisation.name,
    )


# --- The applicant's pages -----------------------------------------------------------------


def certificate_outcome_parts(
    entries: Sequence[Submission], user: User
) -> dict[int, list[OutcomePart]]:
    """The certificate of each of ``entries`` that has one (the valid one, else the last
    revoked one), for its entry page and dashboard row (1 query for any number of entries).
    The pages call this only with entries ``user`` may view."""
    ids = [entry.pk for entry in entries]
    found: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(submission_id__in=ids).order_by(
        "submission_id", "-pk"
    ):
        current = found.get(certificate.submission_id)
        if current is None or (current.revoked_at and not certificate.revoked_at):
            found[certificate.submission_id] = certificate
    return {
        submission_id: [
            OutcomePart(
                template="certificates/_entry_part.html",
                row_template="certificates/_row_part.html",
                context={"certificate": certificate},
                order=20,
            )
        ]
        for submission_id, certificate in found.items()
    }

"""Which entries a juror must not see: the one place that decides it.

A conflict blocks a juror from an entry when it names the entry or the entry's organisation
and is suggested (not yet dismissed) or confirmed. Every list, page, file, export and
assignment asks ``blocked_submission_ids`` or ``blocked_q``; nothing else re-implements it.

Suggestions are computed here too: the juror's email domain equals a domain of the
organisation (its members' and contact addresses, its website), or the juror's stated
affiliation names the organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db.models import Exists, OuterRef, Q

from submissions.models import Organisation, Submission

from .enums import BLOCKING_CONFLICT_STATUSES, ConflictScope
from .models import Conflict, Juror

# Addresses at these providers say nothing about where someone works; nor do the domains
# reserved for examples (RFC 2606), which demo data and tests use for everyone.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.com",
        "yahoo.com",
        "yahoo.de",
        "icloud.com",
        "me.com",
        "posteo.de",
        "mailbox.org",
        "proton.me",
        "protonmail.com",
        "freenet.de",
        "aol.com",
        "example.com",
        "example.org",
        "example.net",
    }
)
LEGAL_FORMS = re.compile(
    r"\b(gmbh|ug|haftungsbeschränkt|ag|kg|ohg|gbr|e\.?\s?v|se|co|ltd|inc|llc|mbh|gmbh & co)\b\.?",
    re.IGNORECASE,
)


def blocked_q(juror: Juror, prefix: str = "") -> Q:
    """Matches the submissions ``juror`` is blocked from (``prefix`` for related lookups,
    e.g. ``"submission__"``)."""
    conflicts = Conflict.objects.filter(juror=juror, status__in=BLOCKING_CONFLICT_STATUSES)
    return Q(
        **{f"{prefix}pk__in": conflicts.filter(submission__isnull=False).values("submission_id")}
    ) | Q(
        **{
            f"{prefix}organisation_id__in": conflicts.filter(organisation__isnull=False).values(
                "organisation_id"
            )
        }
    )


def assignment_blocked() -> Exists:
    """For an Assignment queryset: whether a conflict blocks the row's juror from its entry
    (``.exclude(assignment_blocked())`` keeps the ones that count)."""
    return Exists(
        Conflict.objects.filter(
            juror=OuterRef("juror"), status__in=BLOCKING_CONFLICT_STATUSES
        ).filter(
            Q(submission=OuterRef("submission"))
            | Q(organisation=OuterRef("submission__organisation"))
        )
    )


def blocked_pairs(jurors: list[Juror], submissions: list[Submission]) -> set[tuple[int, int]]:
    """(juror_id, submission_id) pairs that are blocked, for many jurors at once (2 queries)."""
    by_organisation: dict[int, list[int]] = {}
    for submission in submissions:
        by_organisation.setdefault(submission.organisation_id, []).append(submission.pk)
    wanted = {s.pk for s in submissions}
    pairs: set[tuple[int, int]] = set()
    rows = Conflict.objects.filter(
        juror__in=jurors, status__in=BLOCKING_CONFLICT_STATUSES
    ).values_list("juror_id", "submission_id", "organisation_id")
    for juror_id, submission_id, organisation_id in rows:
        if submission_id is not None and submission_id in wanted:
            pairs.add((juror_id, submission_id))
        for pk in by_organisation.get(organisation_id, ()):
            pairs.add((juror_id, pk))
    return pairs


def deciding_conflict(
    submission: Submission, conflicts: Iterable[Conflict]
) -> tuple[str, Conflict] | None:
    """Among one juror's ``conflicts``, the one that decides ``submission`` and its scope
    (``ConflictScope``): a blocking conflict with the whole organisation comes before one
    with the entry alone; None when nothing blocks it."""
    by_scope: dict[str, Conflict] = {}
    for conflict in conflicts:
        if conflict.status not in BLOCKING_CONFLICT_STATUSES:
            continue
        if conflict.organisation_id is not None:
            if conflict.organisation_id == submission.organisation_id:
                by_scope[ConflictScope.ORGANISATION] = conflict
        elif conflict.submission_id == submission.pk:
            by_scope[ConflictScope.SUBMISSION] = conflict
    for scope in (ConflictScope.ORGANISATION, ConflictScope.SUBMISSION):
        if scope in by_scope:
            return scope, by_scope[scope]
    return None


def is_blocked(juror: Juror, submission: Submission) -> bool:
    return Conflict.objects.filter(
        Q(submission=submission) | Q(organisation_id=submission.organisation_id),
        juror=juror,
        status__in=BLOCKING_CONFLICT_STATUSES,
    ).exists()


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""


def _website_domain(url: str) -> str:
    if not url:
        return ""
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    return host.lower().removeprefix("www.")


def normalise_name(name: str) -> str:
    name = LEGAL_FORMS.sub(" ", name.casefold())
    return " ".join(re.sub(r"[^\w]+", " ", name).split())


def suggestion_reason(juror: Juror, organisation: Organisation, member_emails: list[str]) -> str:
    """Why ``juror`` may be in conflict with ``organisation``, or "" if nothing suggests it."""
    juror_domain = _domain(juror.user.email)
    if juror_domain and juror_domain not in FREEMAIL_DOMAINS:
        domains = {_domain(e) for e in [*member_emails, organisation.contact_email] if e}
        website = _website_domain(organisation.website)
        if juror_domain in domains or (
            website and (juror_domain == website or juror_domain.endswith("." + website))
        ):
            return f"@{juror_domain}"
    affiliation = normalise_name(juror.affiliation)
    company = normalise_name(organisation.name)
    if len(affiliation) >= 3 and len(company) >= 3:
        padded_a, padded_c = f" {affiliation} ", f" {company} "
        if affiliation == company or padded_c in padded_a or padded_a in padded_c:
            return juror.affiliation
    return ""

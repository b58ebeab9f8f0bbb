"""A juror's own steps (profile, confidentiality) and the organisers' changes to a seat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Category
from awards.services import audit_log

from ..enums import Expertise, JuryRole, ReviewStatus
from ..models import Assignment, Juror, JurorCategory
from .calibration import calibration_assignments_ensure
from .conflicts import conflicts_suggest


@transaction.atomic
def juror_profile_update(
    *,
    juror: Juror,
    affiliation: str,
    expertise_note: str,
    expertise: Mapping[int, int],
) -> Juror:
    """The juror's affiliation, expertise text and expertise per category (ids of their own
    categories only). Side effect: the conflicts a changed affiliation suggests are
    recorded (``conflicts_suggest``)."""
    links = {link.category_id: link for link in juror.category_links.select_for_update()}
    unknown = set(expertise) - set(links)
    if unknown:
        raise ValidationError(_("You can only rate your expertise in your own categories."))
    for category_id, level in expertise.items():
        if level not in Expertise.values:
            raise ValidationError(_("Unknown level of expertise."))
        link = links[category_id]
        if link.expertise != level:
            link.expertise = level
            link.save(update_fields=["expertise"])
    juror.affiliation = affiliation.strip()
    juror.expertise_note = expertise_note.strip()
    juror.save(update_fields=["affiliation", "expertise_note"])
    conflicts_suggest(juror=juror)
    return juror


@transaction.atomic
def juror_confidentiality_confirm(*, juror: Juror) -> Juror:
    """Record, once, when the juror confirmed the award's confidentiality statement, and the
    text they confirmed (in the audit log)."""
    juror = Juror.objects.select_for_update().select_related("award").get(pk=juror.pk)
    if juror.confidentiality_confirmed_at is None:
        juror.confidentiality_confirmed_at = timezone.now()
        juror.save(update_fields=["confidentiality_confirmed_at"])
        audit_log(
            award=juror.award,
            actor=juror.user,
            action="jury.confidentiality_confirmed",
            target=juror,
            data={"statement": juror.award.confidentiality},
        )
    return juror


@transaction.atomic
def juror_update(
    *,
    juror: Juror,
    actor: User | None,
    role: str,
    categories: Iterable[Category],
    max_assignments: int | None,
    deadline_extended_until: dt.datetime | None,
) -> Juror:
    """The organisers change a seat: role, categories, most entries, individual deadline.
    Assignments in categories the juror no longer judges are kept (remove them by hand).
    Side effects: audit entry ``jury.juror_changed``; the conflicts the new categories
    suggest are recorded; the calibration entries of a new category are assigned
    (``calibration_assignments_ensure``)."""
    juror = Juror.objects.select_for_update().select_related("award", "user").get(pk=juror.pk)
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    if any(c.award_id != juror.award_id for c in categories):
        raise ValidationError({"categories": _("A category of another award was chosen.")})
    if role not in JuryRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    before = {
        "role": juror.role,
        "categories": sorted(juror.categories.values_list("code", flat=True)),
        "max_assignments": juror.max_assignments,
        "deadline_extended_until": juror.deadline_extended_until,
    }
    wanted = {c.pk for c in categories}
    JurorCategory.objects.filter(juror=juror).exclude(category_id__in=wanted).delete()
    for category in categories:
        JurorCategory.objects.get_or_create(juror=juror, category=category)
    juror.role = role
    juror.max_assignments = max_assignments
    juror.deadline_extended_until = deadline_extended_until
    juror.save(update_fields=["role", "max_assignments", "deadline_extended_until"])
    after = {
        "role": role,
        "categories": sorted(c.code for c in categories),
        "max_assignments": max_assignments,
        "deadline_extended_until": deadline_extended_until,
    }
    conflicts_suggest(juror=juror)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        audit_log(
            award=juror.award, actor=actor, action="jury.juror_changed", target=juror, data=changes
        )
    calibration_assignments_ensure(award=juror.award, actor=actor, jurors=[juror])
    return juror


@transaction.atomic
def juror_remove(*, juror: Juror, actor: User | None) -> Juror:
    """Take a juror off the jury: their seat is deactivated, their access ends, and their
    assignments without a submitted review are removed (submitted reviews stay on record)."""
    juror = Juror.objects.select_for_update().select_related("award", "user").get(pk=juror.pk)
    removed = list(
        Assignment.objects.filter(juror=juror)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .values_list("pk", flat=True)
    )
    Assignment.objects.filter(pk__in=removed).delete()
    juror.is_active = False
    juror.save(update_fields=["is_active"])
    audit_log(
        award=juror.award,
        actor=actor,
        action="jury.juror_removed",
        target=juror,
        data={"user": juror.user.email, "assignments_removed": len(removed)},
    )
    return juror

"""Who receives which certificate, the award's design, revocation, and drawing the PDFs.

The decisions say who won (place 1), who placed (2, 3) and who got a special mention; the
rounds say who reached the final (an entry carried into a round after the first); every
entry that applied and was not found ineligible takes part. What the award's design asks
for is issued once the results are public (``certificates_issue``, on the
``results_published`` signal and on the organisers' request after a correction): one
certificate per entry, the same row (and public id) when what it attests changes, revoked
with a reason when the entry is no longer entitled.

Drawing is separate and repeatable (``certificates_draw``): a certificate is to be drawn
while ``generated_at`` is empty; its ``digest`` is that of everything its PDF shows, so that
issuing again or changing the design marks only the certificates whose PDF would differ.
Each certificate is drawn in a transaction of its own that locks only its row (skipping rows
another worker holds) and sets ``generated_at`` with a conditional update: two workers, a
re-run or the sweeper never draw one twice, and no transaction spans the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardStatus
from awards.models import Award
from awards.services import audit_log
from core.queue import enqueue_on_commit
from jury.models import RoundEntry
from notifications.rendering import render_text, template_errors
from results.enums import DecisionKind
from results.models import Decision
from submissions.enums import SubmissionStatus

from . import drawing, wording
from .enums import CertificateKind, CertificateLanguages
from .models import Certificate, CertificateDesign, certificate_upload_to
from .tasks import draw_certificates, issue_certificates

log = logging.getLogger("laurel.certificates")

# Entries that took part: applied, and not found ineligible (nor withdrawn, nor a draft).
PARTICIPATING = (SubmissionStatus.SUBMITTED, SubmissionStatus.ELIGIBLE)
# How many draw tasks work on one award's certificates side by side (each claims rows with
# SKIP LOCKED, so they never draw the same one), and how many each draws before it hands
# over to the next task.
DRAW_LANES = 2
DRAW_CHUNK = 100
DESIGN_IMAGE_MAX_MB = 5
DESIGN_IMAGE_MAX_PIXELS = 1200
# How long after a publication the sweeper still issues certificates that were never issued.
SWEEP_ISSUE_WINDOW = dt.timedelta(days=30)


class CertificateError(ValidationError):
    pass


# --- Reading the design --------------------------------------------------------------------


def design_for(award: Award) -> CertificateDesign:
    """The award's design, or an unsaved default one (the defaults apply until one is saved)."""
    design = CertificateDesign.objects.filter(award=award).first()
    return design or CertificateDesign(award=award)


def design_languages(design: CertificateDesign) -> list[str]:
    if design.languages == CertificateLanguages.BOTH:
        return ["de", "en"]
    return [design.languages]


def wording_of(design: CertificateDesign, language: str) -> str:
    """The design's wording in ``language``, or the default wording when it is empty."""
    return getattr(design, f"wording_{language}") or wording.DEFAULT_WORDING[language]


def verification_url(public_id: str) -> str:
    """The absolute address of a certificate's public verification page (printed as QR)."""
    return settings.SITE_URL + reverse("certificates:verify", kwargs={"public_id": public_id})


def kind_for(decision_kind: str, place: int | None) -> tuple[str, int | None]:
    if decision_kind == DecisionKind.MENTION:
        return CertificateKind.MENTION, None
    if place == 1:
        return CertificateKind.WINNER, 1
    return CertificateKind.PLACE, place


def kind_label(kind: str, place: int | None) -> str:
    """The distinction in the interface's language ("Winner", "Second place", …)."""
    if kind == CertificateKind.WINNER:
        return _("Winner (1st place)")
    if kind == CertificateKind.PLACE:
        return {2: _("Second place"), 3: _("Third place")}.get(
            place or 0, _("Place %(place)s") % {"place": place}
        )
    return str(CertificateKind(kind).label)


# --- Who receives what ---------------------------------------------------------------------


def certificate_entitlements(
    *, award: Award, design: CertificateDesign
) -> dict[int, tuple[str, int | None]]:
    """Entry id → (kind, place) of the certificate it is entitled to (3 queries at most)."""
    wanted: dict[int, tuple[str, int | None]] = {}
    if design.issue_participants:
        for pk in _entry_ids(award, PARTICIPATING):
            wanted[pk] = (CertificateKind.PARTICIPANT, None)
    if design.issue_finalists:
        # The shortlist is stored as the entries of the rounds after the first.
        finalists = RoundEntry.objects.filter(
            round__award=award,
            round__number__gt=1,
            submission__status__in=PARTICIPATING,
        ).values_list("submission_id", flat=True)
        for pk in finalists:
            wanted[pk] = (CertificateKind.FINALIST, None)
    for submission_id, decision_kind, place in Decision.objects.filter(award=award).values_list(
        "submission_id", "kind", "place"
    ):
        wanted[submission_id] = kind_for(decision_kind, place)
    return wanted


def _entry_ids(award: Award, statuses) -> list[int]:
    from submissions.models import Submission

    return list(
        Submission.objects.filter(award=award, status__in=statuses).values_list("pk", flat=True)
    )


# --- What a certificate prints -------------------------------------------------------------


@dataclass
class Layout:
    """What every certificate of one award shares while a batch is drawn or checked."""

    award: Award
    design: CertificateDesign
    languages: list[str]
    dates: dict[str, str]
    fingerprint: str
    kit: drawing.DrawingKit | None = field(default=None, repr=False)


def _dates(award: Award) -> dict[str, str]:
    moment = award.results_publish_at or timezone.now()
    day = timezone.localtime(moment, award.tzinfo).date()
    out = {}
    for language in ("de", "en"):
        with translation.override(language):
            out[language] = formats.date_format(day, "DATE_FORMAT")
    return out


def layout_for(award: Award, design: CertificateDesign, *, with_images: bool = False) -> Layout:
    fingerprint = json.dumps(
        [
            drawing.LAYOUT_VERSION,
            design.colour,
            design.logo.name or "",
            design.signature.name or "",
            settings.SITE_URL,
        ]
    )
    layout = Layout(
        award=award,
        design=design,
        languages=design_languages(design),
        dates=_dates(award),
        fingerprint=fingerprint,
    )
    if with_images:
        layout.kit = drawing.DrawingKit.build(
            colour=design.colour,
            logo=_read(design.logo),
            signature=_read(design.signature),
        )
    return layout


def _read(file) -> bytes | None:
    if not file or not file.name:
        return None
    try:
        with file.open("rb") as handle:
            return handle.read()
    except OSError:
        log.warning("certificate design image %s is missing", file.name)
        return None


def certificate_texts(
    certificate: Certificate, layout: Layout, *, public_id: str | None = None
) -> list[drawing.CertificateText]:
    """The pages of ``certificate`` (its submission with organisation and category loaded)."""
    submission = certificate.submission
    category = submission.category
    design = layout.design
    public_id = public_id or certificate.public_id
    url = verification_url(public_id)
    pages = []
    for language in layout.languages:
        page = wording.PAGE[language]
        category_name = getattr(category, f"name_{language}") or category.name
        values = {
            "company": submission.organisation.name,
            "submission_title": submission.title,
            "reference": submission.reference or "",
            "category": category_name,
            "distinction": wording.distinction(certificate.kind, certificate.place, language),
            "award_name": str(layout.award),
            "organiser_name": layout.award.organiser_name,
            "date": layout.dates[language],
        }
        pages.append(
            drawing.CertificateText(
                language=language,
                title=page["title"],
                headline=wording.headline(certificate.kind, certificate.place, language),
                company=submission.organisation.name,
                category_line=f"{page['category']} {category_name} · {layout.award}",
                wording=render_text(wording_of(design, language), values),
                date=layout.dates[language],
                signatory_name=design.signatory_name,
                signatory_role=getattr(design, f"signatory_role_{language}"),
                certificate_id_label=page["certificate_id"],
                certificate_id=public_id,
                verify_label=page["verify"],
                verify_url=url,
            )
        )
    return pages


def certificate_digest(pages: list[drawing.CertificateText], layout: Layout) -> str:
    payload = json.dumps([layout.fingerprint, [vars(page) for page in pages]], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _valid(award: Award) -> QuerySet[Certificate]:
    return Certificate.objects.filter(award=award, revoked_at__isnull=True).select_related(
        "submission__organisation", "submission__category"
    )


def _mark_changed(award: Award, design: CertificateDesign) -> int:
    """Mark for drawing every valid certificate of ``award`` whose PDF would differ from the
    one it has (2 queries). Returns how many."""
    layout = layout_for(award, design)
    stale = [
        certificate.pk
        for certificate in _valid(award).filter(generated_at__isnull=False)
        if certificate_digest(certificate_texts(certificate, layout), layout) != certificate.digest
    ]
    if stale:
        Certificate.objects.filter(pk__in=stale).update(generated_at=None)
    return len(stale)


def _enqueue_draw(award: Award) -> None:
    for _lane in range(DRAW_LANES):
        enqueue_on_commit(draw_certificates, award.pk)


def _delete_file_on_commit(name: str) -> None:
    if name:
        storage = Certificate._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


# --- Issuing -------------------------------------------------------------------------------


@dataclass
class IssuePlan:
    """What issuing would do now: certificates to create, to change, to revoke."""

    create: list[tuple[int, str, int | None]] = field(default_factory=list)
    change: list[Certificate] = field(default_factory=list)
    revoke: list[Certificate] = field(default_factory=list)
    unchanged: int = 0
    withheld: int = 0  # entries whose certificate an organiser revoked: not issued again

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.create),
            "changed": len(self.change),
            "revoked": len(self.revoke),
            "unchanged": self.unchanged,
            "withheld": self.withheld,
        }


def certificates_plan(*, award: Award, lock: bool = False) -> IssuePlan:
    """What ``certificates_issue`` would do (4 queries); ``lock`` locks the valid rows."""
    design = design_for(award)
    wanted = certificate_entitlements(award=award, design=design)
    valid_rows = Certificate.objects.filter(award=award, revoked_at__isnull=True)
    if lock:
        valid_rows = valid_rows.select_for_update()
    valid = {c.submission_id: c for c in valid_rows}
    withheld = set(
        Certificate.objects.filter(award=award, revoked_by__isnull=False).values_list(
            "submission_id", flat=True
        )
    ) - set(valid)
    plan = IssuePlan()
    for submission_id, (kind, place) in sorted(wanted.items()):
        certificate = valid.get(submission_id)
        if certificate is None:
            if submission_id in withheld:
                plan.withheld += 1
            else:
                plan.create.append((submission_id, kind, place))
        elif (certificate.kind, certificate.place) != (kind, place):
            plan.change.append(certificate)
            certificate.kind, certificate.place = kind, place
        else:
            plan.unchanged += 1
    plan.revoke = [c for submission_id, c in valid.items() if submission_id not in wanted]
    return plan


@transaction.atomic
def certificates_issue(*, award: Award, actor: User | None) -> IssuePlan:
    """Issue ``award``'s certificates as its decisions, rounds and design say now: create the
    missing ones, change the kind or place of those whose distinction changed (the same
    certificate, drawn again), revoke those of entries no longer entitled. Entries whose
    certificate an organiser revoked get none again. Marks for drawing every certificate
    whose PDF would change. Refused before the results are public.

    Side effects: audit entry ``certificates.issued`` (with the counts); the draw tasks
    (``certificates.draw``, on commit); files of revoked certificates deleted on commit."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not award.results_are_public():
        raise CertificateError(_("Certificates are issued once the results are published."))
    plan = certificates_plan(award=award, lock=True)
    now = timezone.now()
    Certificate.objects.bulk_create(
        Certificate(award=award, submission_id=pk, kind=kind, place=place, issued_at=now)
        for pk, kind, place in plan.create
    )
    for certificate in plan.change:
        certificate.generated_at = None
    Certificate.objects.bulk_update(plan.change, ["kind", "place", "generated_at"])
    reason = _("The entry is no longer entitled to this certificate (the results were corrected).")
    for certificate in plan.revoke:
        _delete_file_on_commit(certificate.file.name)
        certificate.revoked_at = now
        certificate.revoked_by = None
        certificate.revocation_reason = reason
        certificate.file = ""
    Certificate.objects.bulk_update(
        plan.revoke, ["revoked_at", "revoked_by", "revocation_reason", "file"]
    )
    redraw = _mark_changed(award, design_for(award))
    audit_log(
        award=award,
        actor=actor,
        action="certificates.issued",
        target=award,
        data={**plan.counts, "redraw": redraw},
    )
    _enqueue_draw(award)
    return plan


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke ``certificate`` for ``reason``: its verification page says so from now on, its
    PDF is deleted and can no longer be downloaded, and issuing again gives the entry none.

    Side effects: audit entry ``certificate.revoked``; the PDF deleted on commit."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError({"reason": _("Say why the certificate is revoked.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise CertificateError(_("This certificate is revoked already."))
    _delete_file_on_commit(certificate.file.name)
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revocation_reason = reason
    certificate.file = ""
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "file"])
    audit_log(
        award=certificate.award,
        actor=actor,
        action="certificate.revoked",
        target=certificate,
        data={
            "public_id": certificate.public_id,
            "submission": certificate.submission_id,
            "kind": certificate.kind,
            "reason": reason,
        },
    )
    return certificate


# --- The design ----------------------------------------------------------------------------

DESIGN_FIELDS = (
    "signatory_name",
    "signatory_role_de",
    "signatory_role_en",
    "colour",
    "wording_de",
    "wording_en",
    "languages",
    "issue_finalists",
    "issue_participants",
)


def wording_errors(text: str) -> list[str]:
    """What is wrong with ``text`` as a certificate's wording (the mail rules)."""
    return template_errors(text or "", wording.PLACEHOLDERS)


def design_image_clean(upload) -> bytes:
    """A logo or signature as a PNG of at most 1200 pixels a side, decoded and encoded again
    (nothing of the upload but its picture is kept), or a ValidationError naming the file."""
    from PIL import Image

    from submissions.uploads import PDF, check_upload

    checked = check_upload(upload, max_pdf_mb=DESIGN_IMAGE_MAX_MB, max_image_mb=DESIGN_IMAGE_MAX_MB)
    if checked.content_type == PDF or checked.content is None:
        raise ValidationError(
            _("“%(name)s” is not an image. Upload a PNG, JPEG or WebP file.")
            % {"name": checked.name},
            code="type",
        )
    with Image.open(io.BytesIO(checked.content)) as image:
        image.load()
        picture = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
    picture.thumbnail((DESIGN_IMAGE_MAX_PIXELS, DESIGN_IMAGE_MAX_PIXELS))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def certificate_design_save(
    *,
    award: Award,
    actor: User | None,
    values: dict,
    logo: bytes | None = None,
    signature: bytes | None = None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> CertificateDesign:
    """Store how ``award``'s certificates look and who receives them. ``logo`` and
    ``signature`` are cleaned PNGs (``design_image_clean``). The wordings follow the mail
    rules: an unknown placeholder, a tag or anything but a plain name is refused
    (ValidationError naming the field).

    Side effects: audit entry ``certificates.design_saved`` (the fields that changed); once
    certificates are issued, those whose PDF changes are marked and the draw tasks enqueued;
    replaced images deleted on commit."""
    errors = {
        name: problems
        for name in ("wording_de", "wording_en")
        if (problems := wording_errors(values.get(name, "")))
    }
    if errors:
        raise CertificateError(errors)
    Award.objects.select_for_update().only("pk").get(pk=award.pk)
    design = CertificateDesign.objects.filter(award=award).first() or CertificateDesign(award=award)
    changed = [
        name for name in DESIGN_FIELDS if name in values and getattr(design, name) != values[name]
    ]
    for name in changed:
        setattr(design, name, values[name])
    for name, data, remove in (
        ("logo", logo, remove_logo),
        ("signature", signature, remove_signature),
    ):
        file = getattr(design, name)
        if data is not None or (remove and file.name):
            _delete_design_file_on_commit(file.name)
            setattr(design, name, "")
            changed.append(name)
        if data is not None:
            getattr(design, name).save(f"{name}.png", ContentFile(data), save=False)
    design.full_clean(exclude=["award", "logo", "signature"], validate_unique=False)
    design.save()
    if changed:
        audit_log(
            award=award,
            actor=actor,
            action="certificates.design_saved",
            target=design,
            data={"changed": changed},
        )
        issued = Certificate.objects.filter(award=award, revoked_at__isnull=True).exists()
        if issued and _mark_changed(award, design):
            _enqueue_draw(award)
    return design


def _delete_design_file_on_commit(name: str) -> None:
    if name:
        storage = CertificateDesign._meta.get_field("logo").storage
        transaction.on_commit(lambda: storage.delete(name))


# --- Drawing -------------------------------------------------------------------------------


@dataclass
class DrawResult:
    drawn: int
    remaining: bool


def _pending(award_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        award_id=award_id, revoked_at__isnull=True, generated_at__isnull=True
    )


def certificates_draw(*, award_id: int, limit: int | None = None) -> DrawResult:
    """Draw up to ``limit`` of the award's certificates that are to be drawn, each in a short
    transaction of its own (see the module's docstring). Returns how many this call drew and
    whether any are left to draw."""
    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return DrawResult(0, False)
    layout = layout_for(award, design_for(award), with_images=True)
    candidates = list(
        _pending(award_id)
        .select_related("submission__organisation", "submission__category")
        .order_by("pk")[: limit or DRAW_CHUNK]
    )
    drawn = 0
    for certificate in candidates:
        try:
            drawn += _draw_one(certificate, layout)
        except DesignChanged:
            # Saved while this batch ran: the rest is drawn with the design as it is now.
            layout = layout_for(award, design_for(award), with_images=True)
            drawn += _draw_one(certificate, layout)
    return DrawResult(drawn, _pending(award_id).exists())


class DesignChanged(Exception):
    """The award's design was saved after the batch read it."""


def _design_version(award_id: int):
    return (
        CertificateDesign.objects.filter(award_id=award_id)
        .values_list("updated_at", flat=True)
        .first()
    )


def _draw_one(certificate: Certificate, layout: Layout) -> int:
    storage = Certificate._meta.get_field("file").storage
    saved = ""
    try:
        with transaction.atomic():
            row = (
                Certificate.objects.select_for_update(skip_locked=True)
                .filter(pk=certificate.pk, revoked_at__isnull=True, generated_at__isnull=True)
                .values("kind", "place", "digest", "file")
                .first()
            )
            if row is None:  # drawn by someone else meanwhile, revoked, or locked right now
                return 0
            if _design_version(layout.award.pk) != getattr(layout.design, "updated_at", None):
                raise DesignChanged
            certificate.kind, certificate.place = row["kind"], row["place"]
            pages = certificate_texts(certificate, layout)
            digest = certificate_digest(pages, layout)
            now = timezone.now()
            if digest == row["digest"] and row["file"]:
                # Nothing it shows changed: keep its PDF.
                Certificate.objects.filter(pk=certificate.pk).update(generated_at=now)
                return 0
            data = drawing.certificate_pdf(pages, layout.kit)
            saved = storage.save(
                certificate_upload_to(certificate, "certificate.pdf"), ContentFile(data)
            )
            updated = Certificate.objects.filter(
                pk=certificate.pk,
                revoked_at__isnull=True,
                generated_at__isnull=True,
                kind=row["kind"],
                digest=row["digest"],
            ).update(file=saved, digest=digest, generated_at=now)
            if not updated:
                storage.delete(saved)
                return 0
            if row["file"] and row["file"] != saved:
                _delete_file_on_commit(row["file"])
            return 1
    except Exception:
        if saved:
            storage.delete(saved)
        raise


# Designs saved this recently are checked again by the sweep (see there).
SWEEP_DESIGN_WINDOW = dt.timedelta(hours=1)


def certificates_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The beat's safety net: issue the certificates of editions published lately that have
    none (a lost task), and draw those left undrawn. Enqueues tasks; returns their counts."""
    from core.queue import enqueue

    now = now or timezone.now()
    unissued = list(
        Award.objects.filter(
            status=AwardStatus.PUBLISHED, results_published_at__gte=now - SWEEP_ISSUE_WINDOW
        )
        .exclude(pk__in=Certificate.objects.values("award_id"))
        .values_list("pk", flat=True)
    )
    for award_id in unissued:
        enqueue(issue_certificates, award_id)
    undrawn = list(
        Certificate.objects.filter(revoked_at__isnull=True, generated_at__isnull=True)
        .values_list("award_id", flat=True)
        .distinct()
        .order_by()
    )
    # A design saved while a batch was drawing (between its check and its commit) left a
    # certificate drawn the old way: those of designs saved lately are compared again.
    for design in CertificateDesign.objects.filter(
        updated_at__gte=now - SWEEP_DESIGN_WINDOW
    ).select_related("award"):
        if _mark_changed(design.award, design) and design.award_id not in undrawn:
            undrawn.append(design.award_id)
    for award_id in undrawn:
        enqueue(draw_certificates, award_id)
    return {"issue": len(unissued), "draw": len(undrawn)}


# --- A sample ------------------------------------------------------------------------------

SAMPLE_COMPANY = "Musterfirma Leichtbau GmbH"
SAMPLE_TITLE = "Carbon bicycle frame"


def certificate_sample_pdf(*, award: Award, kind: str = CertificateKind.WINNER) -> bytes:
    """A certificate of ``kind`` with the award's design as it is saved now, for an invented
    company and entry: how the real ones will look (no database writes)."""
    from awards.models import Category
    from submissions.models import Organisation, Submission

    category = award.categories.order_by("position", "pk").first() or Category(
        award=award, name_de="Kategorie", name_en="Category"
    )
    submission = Submission(
        award=award,
        category=category,
        organisation=Organisation(name=SAMPLE_COMPANY),
        title=SAMPLE_TITLE,
        reference=f"{award.reference_prefix or 'LIA'}-{award.edition}-0001",
    )
    place = 1 if kind == CertificateKind.WINNER else (2 if kind == CertificateKind.PLACE else None)
    certificate = Certificate(award=award, submission=submission, kind=kind, place=place)
    layout = layout_for(award, design_for(award), with_images=True)
    return drawing.certificate_pdf(
        certificate_texts(certificate, layout, public_id="SAMPLE"), layout.kit
    )

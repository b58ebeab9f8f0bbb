"""The ZIP of everything Laurel holds about one person (GDPR art. 15, access, and art. 20,
portability): JSON files a program can read, the files of their entries, and a README in
their language that says what each file holds.

What is in it, and what is left out on purpose (``docs``: "Your data"):

* ``profile.json``: the account (no password hash, no session keys, no second-factor
  secrets: those are no information about the person, and a copy of them would be a risk),
  what Laurel remembers for them, the privacy policies they accepted, their roles.
* ``organisations.json``: the company profiles they are a member of, with their own role.
  Co-members are not named (their data is theirs); the contact person only when it is them.
* ``entries.json`` and ``files/<reference>/…``: the entries of those company profiles with
  every answer and file: the person's own work, which they may take elsewhere. Entries they
  started for a profile they have left since are listed without answers or files (those are
  the company's, which they no longer belong to).
* ``reviews.json``: their jury seats, the reviews they wrote (scores, comments, their note to
  the organisers, feedback), their bids, ranked ballots, discussion posts and declared
  conflicts. Never another juror's review or post of the same entry.
* ``messages.json``: every mail sent to them (to their account or their address).
* ``audit.json``: change-log lines they caused or that name their address, with any other
  person's address in them replaced by ``REDACTED``.
* ``security.json``: sign-ins and security events, devices logged in, API tokens (name, award,
  scope, dates; never the token), passkeys (name and
  dates only).

Each kind is read in a fixed number of queries (prefetched), whatever the amount of data.
The archive is written to a temporary file while the rows are read (zipstream-ng: files are
read from storage in chunks when their turn comes), then stored as the export's file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Iterator
from importlib import metadata
from typing import Any
from zipfile import ZIP_DEFLATED, ZIP_STORED

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from zipstream import ZipStream

from accounts.models import User
from awards.models import AuditEntry, AwardRole
from jury.models import Ballot, Bid, Conflict, DiscussionPost, Juror, Review
from notifications.models import Message
from submissions.enums import QuestionKind
from submissions.exports import FILE_CHUNK, zip_members
from submissions.models import Attachment, Membership, Question, Submission
from submissions.questions import export_value

from .models import DataExport

log = logging.getLogger(__name__)

FORMAT = 1  # raised when the layout of the JSON files changes
REDACTED = "REDACTED"  # what another person's address in an audit line reads as
FILES_FOLDER = "files"
JSON_FILES = (
    "profile.json",
    "organisations.json",
    "entries.json",
    "reviews.json",
    "messages.json",
    "audit.json",
    "security.json",
)


def laurel_version() -> str:
    try:
        return metadata.version("laurel")
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def _award(award: Any) -> dict[str, Any]:
    return {"name": award.name, "edition": award.edition}


# --- profile ---------------------------------------------------------------------------------
def _profile(user: User) -> dict[str, Any]:
    consents = user.privacy_consents.order_by("accepted_at")
    roles = AwardRole.objects.filter(user=user).select_related("award").order_by("created_at")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "email_verified_at": user.email_verified_at,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "remembered": user.remembered,
        "privacy_consents": [
            {"version": c.version, "accepted_at": c.accepted_at} for c in consents
        ],
        "award_roles": [
            {"award": _award(r.award), "role": r.get_role_display(), "since": r.created_at}
            for r in roles
        ],
    }


# --- organisations and entries ---------------------------------------------------------------
def _organisations(user: User, memberships: list[Membership]) -> list[dict[str, Any]]:
    rows = []
    for membership in memberships:
        org = membership.organisation
        row: dict[str, Any] = {
            "name": org.name,
            "legal_form": org.legal_form,
            "street": org.street,
            "postal_code": org.postal_code,
            "city": org.city,
            "country": org.country,
            "website": org.website,
            "size_class": org.get_size_class_display(),
            "founded_year": org.founded_year,
            "your_role": membership.get_role_display(),
            "member_since": membership.created_at,
        }
        # The contact person may be a co-member: named only when it is this person.
        if org.contact_email and org.contact_email.casefold() == user.email.casefold():
            row.update(
                contact_name=org.contact_name,
                contact_email=org.contact_email,
                contact_phone=org.contact_phone,
            )
        rows.append(row)
    return rows


def _entries(
    user: User, organisation_ids: list[int]
) -> tuple[list[dict[str, Any]], list[tuple[str, Attachment]]]:
    """The entries of the person's company profiles with answers and files, and the files as
    (archive name, attachment); entries they started for a profile they left, briefly."""
    submissions = list(
        Submission.objects.filter(Q(organisation_id__in=organisation_ids) | Q(created_by=user))
        .select_related("award", "category", "organisation")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("question").order_by("created_at", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    current = set(organisation_ids)
    own = [s for s in submissions if s.organisation_id in current]
    questions: dict[int, list[Question]] = {}
    for question in (
        Question.objects.filter(award_id__in={s.award_id for s in own})
        .select_related("award")
        .order_by("award_id", "position", "pk")
    ):
        questions.setdefault(question.award_id, []).append(question)

    attachments = [a for s in own for a in s.attachments.all()]
    members = list(zip_members(attachments))
    names = {attachment.pk: name for name, attachment in members}
    entries: list[dict[str, Any]] = []
    for submission in submissions:
        row: dict[str, Any] = {
            "reference": submission.reference,
            "title": submission.title,
            "award": _award(submission.award),
            "category": submission.category.name,
            "organisation": submission.organisation.name,
            "started_by_you": submission.created_by_id == user.pk,
            "created_at": submission.created_at,
        }
        if submission.organisation_id not in current:
            row["note"] = "organisation left: answers and files are the organisation's"
            entries.append(row)
            continue
        row.update(
            status=submission.get_status_display(),
            eligibility_reason=submission.eligibility_reason,
            summary=submission.summary,
            consent_terms=submission.consent_terms,
            consent_data=submission.consent_data,
            consent_publication=submission.consent_publication,
            updated_at=submission.updated_at,
            submitted_at=submission.submitted_at,
            answers=_answers(submission, questions.get(submission.award_id, [])),
            files=[
                {
                    "name": a.original_name,
                    "slot": a.question.label if a.question_id else None,
                    "size": a.size,
                    "content_type": a.content_type,
                    "uploaded_at": a.created_at,
                    "uploaded_by_you": a.uploaded_by_id == user.pk,
                    "in_archive": f"{FILES_FOLDER}/{names[a.pk]}",
                }
                for a in submission.attachments.all()
            ],
        )
        entries.append(row)
    return entries, [(f"{FILES_FOLDER}/{name}", a) for name, a in members]


def _answers(submission: Submission, questions: list[Question]) -> list[dict[str, Any]]:
    stored = submission.answers or {}
    answers = []
    for question in questions:
        if question.kind in (QuestionKind.SECTION, QuestionKind.FILE):
            continue  # files are listed with the entry's files
        answer = stored.get(str(question.pk))
        if answer is None:
            continue
        answers.append(
            {
                "question": question.label,
                "key": question.key,
                "answer": export_value(question, answer),
            }
        )
    return answers


# --- the jury ------------------------------------------------------------------------------
def _jury(user: User) -> dict[str, Any]:
    seats = list(
        Juror.objects.filter(user=user)
        .select_related("award")
        .prefetch_related("categories")
        .order_by("created_at", "pk")
    )
    reviews = (
        Review.objects.filter(assignment__juror__user=user)
        .select_related("assignment__round", "assignment__submission", "assignment__juror__award")
        .prefetch_related("scores__criterion")
        .order_by("created_at", "pk")
    )
    posts = (
        DiscussionPost.objects.filter(author=user)
        .select_related("round__award", "submission")
        .order_by("created_at", "pk")
    )
    conflicts = (
        Conflict.objects.filter(juror__user=user)
        .select_related("juror__award", "submission", "organisation")
        .order_by("created_at", "pk")
    )
    bids = Bid.objects.filter(juror__user=user).select_related("juror__award", "submission")
    ballots = Ballot.objects.filter(juror__user=user).select_related(
        "juror__award", "round", "category"
    )
    return {
        "seats": [
            {
                "award": _award(seat.award),
                "role": seat.get_role_display(),
                "affiliation": seat.affiliation,
                "expertise_note": seat.expertise_note,
                "categories": [c.name for c in seat.categories.all()],
                "max_assignments": seat.max_assignments,
                "deadline_extended_until": seat.deadline_extended_until,
                "is_active": seat.is_active,
                "confidentiality_confirmed_at": seat.confidentiality_confirmed_at,
                "conflicts_declared_at": seat.conflicts_declared_at,
                "created_at": seat.created_at,
            }
            for seat in seats
        ],
        "reviews": [
            {
                "award": _award(review.assignment.juror.award),
                "round": review.assignment.round.name,
                "entry": _entry_ref(review.assignment.submission),
                "status": review.get_status_display(),
                "scores": [
                    {"criterion": s.criterion.name, "value": s.value, "comment": s.comment}
                    for s in review.scores.all()
                ],
                "overall_comment": review.overall_comment,
                "note_to_the_organisers": review.private_note,
                "feedback_to_the_applicant": review.applicant_feedback,
                "created_at": review.created_at,
                "updated_at": review.updated_at,
                "submitted_at": review.submitted_at,
                "reopened_at": review.reopened_at,
            }
            for review in reviews
        ],
        "bids": [
            {
                "award": _award(bid.juror.award),
                "entry": _entry_ref(bid.submission),
                "preference": bid.preference,
            }
            for bid in bids
        ],
        "ranked_ballots": [
            {
                "award": _award(ballot.juror.award),
                "round": ballot.round.name,
                "category": ballot.category.name,
                "ranking": ballot.ranking,
                "status": ballot.get_status_display(),
                "updated_at": ballot.updated_at,
                "submitted_at": ballot.submitted_at,
            }
            for ballot in ballots
        ],
        "discussion_posts": [
            {
                "award": _award(post.round.award),
                "round": post.round.name,
                "entry": _entry_ref(post.submission),
                "message": post.body,
                "created_at": post.created_at,
            }
            for post in posts
        ],
        "conflicts": [
            {
                "award": _award(conflict.juror.award),
                "entry": _entry_ref(conflict.submission) if conflict.submission_id else None,
                "organisation": conflict.organisation.name if conflict.organisation_id else None,
                "status": conflict.get_status_display(),
                "source": conflict.get_source_display(),
                "reason": conflict.reason,
                "note": conflict.note,
                "created_at": conflict.created_at,
                "updated_at": conflict.updated_at,
            }
            for conflict in conflicts
        ],
    }


def _entry_ref(submission: Submission) -> dict[str, Any]:
    return {"reference": submission.reference, "title": submission.title}


# --- messages, audit, security -------------------------------------------------------------
def _messages(user: User) -> list[dict[str, Any]]:
    messages = (
        Message.objects.filter(Q(recipient=user) | Q(recipient_email__iexact=user.email))
        .select_related("award")
        .order_by("created_at", "pk")
    )
    return [
        {
            "award": _award(m.award) if m.award_id else None,
            "to": m.recipient_email,
            "language": m.language,
            "subject": m.subject,
            "text": m.body_text,
            "status": m.get_status_display(),
            "created_at": m.created_at,
            "sent_at": m.sent_at,
        }
        for m in messages.iterator(chunk_size=500)
    ]


def _redacted(value: Any, own: str) -> Any:
    """``value`` with every address but the person's own replaced by ``REDACTED``."""
    if isinstance(value, dict):
        return {key: _redacted(item, own) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, own) for item in value]
    if isinstance(value, str) and "@" in value and value.casefold() != own:
        return REDACTED
    return value


def _names_address(value: Any, own: str) -> bool:
    if isinstance(value, dict):
        return any(_names_address(item, own) for item in value.values())
    if isinstance(value, list):
        return any(_names_address(item, own) for item in value)
    return isinstance(value, str) and value.casefold() == own


def _audit(user: User) -> list[dict[str, Any]]:
    """Lines the person caused, and lines whose data names their address exactly (the
    database narrows by substring; a longer address containing theirs is dropped here)."""
    own = user.email.casefold()
    entries = (
        AuditEntry.objects.filter(Q(actor=user) | Q(data__icontains=user.email))
        .select_related("award")
        .order_by("created_at", "pk")
    )
    rows = []
    for entry in entries.iterator(chunk_size=500):
        if entry.actor_id != user.pk and not _names_address(entry.data, own):
            continue
        rows.append(
            {
                "award": _award(entry.award),
                "by_you": entry.actor_id == user.pk,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "data": _redacted(entry.data, own),
                "created_at": entry.created_at,
            }
        )
    return rows


def _security(user: User) -> dict[str, Any]:
    return {
        "events": [
            {
                "event": e.get_kind_display(),
                "at": e.at,
                "ip_address": e.ip_address,
                "device": e.user_agent,
                "detail": e.detail,
            }
            for e in user.security_events.order_by("at", "pk")
        ],
        "sessions": [
            {
                "logged_in": s.created_at,
                "last_seen": s.last_seen_at,
                "ip_address": s.ip_address,
                "device": s.user_agent,
            }
            for s in user.login_sessions.order_by("created_at", "pk")
        ],
        "passkeys": [
            {"name": p.name, "added": p.created_at, "last_used": p.last_used_at}
            for p in user.passkeys.order_by("created_at", "pk")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "award": _award(t.award),
                "scope": t.scope,
                "starts_with": t.prefix,
                "created": t.created_at,
                "expires": t.expires_at,
                "last_used": t.last_used_at,
                "revoked": t.revoked_at,
            }
            for t in user.api_tokens.select_related("award").order_by("created_at", "pk")
        ],
        "authenticator_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "recovery_codes_unused": user.recovery_codes.filter(used_at__isnull=True).count(),
    }


# --- the archive ---------------------------------------------------------------------------
def _json(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _file_chunks(attachment: Attachment) -> Iterator[bytes]:
    with attachment.file.storage.open(attachment.file.name, "rb") as handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def export_contents(user: User) -> tuple[dict[str, Any], list[tuple[str, Attachment]]]:
    """Every JSON document of ``user``'s export by file name, and the files as (archive
    name, attachment). Labels and statuses in the active language."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    entries, files = _entries(user, [m.organisation_id for m in memberships])
    documents = {
        "profile.json": _profile(user),
        "organisations.json": _organisations(user, memberships),
        "entries.json": entries,
        "reviews.json": _jury(user),
        "messages.json": _messages(user),
        "audit.json": _audit(user),
        "security.json": _security(user),
    }
    return documents, files


def export_write(user: User, target: Any, *, generated_at: dt.datetime) -> None:
    """Write ``user``'s export as a ZIP to the open binary file ``target``, in their
    language. Raises what the storage raises when a file cannot be read."""
    with translation.override(user.preferred_language):
        documents, files = export_contents(user)
        manifest = {
            "format": FORMAT,
            "generated_at": generated_at,
            "laurel_version": laurel_version(),
            "person": user.email,
            "language": user.preferred_language,
            "files": {
                name: len(value) if isinstance(value, list) else None
                for name, value in documents.items()
            },
            "attachments": [name for name, _attachment in files],
        }
        readme = render_to_string(
            "privacy/export_readme.txt",
            {"user": user, "generated_at": generated_at, "files_folder": FILES_FOLDER},
        )
    archive = ZipStream(compress_type=ZIP_DEFLATED)
    archive.add(readme.encode(), "README.txt")
    archive.add(_json(manifest), "manifest.json")
    for name, value in documents.items():
        archive.add(_json(value), name)
    for name, attachment in files:
        # PDFs and images hardly shrink: stored as they are.
        archive.add(_file_chunks(attachment), name, compress_type=ZIP_STORED)
    for chunk in archive:
        target.write(chunk)


def export_build(export: DataExport) -> None:
    """Write the ZIP of ``export.user`` and store it as ``export.file`` (``size`` set; the
    row is not saved: the caller records the outcome with a conditional update)."""
    with tempfile.TemporaryFile() as handle:
        export_write(export.user, handle, generated_at=timezone.now())
        export.size = handle.tell()
        handle.seek(0)
        storage = export.file.storage
        name = export.file.field.generate_filename(export, "export.zip")
        if storage.exists(name):  # a run that stopped after storing, before recording
            storage.delete(name)
        export.file.name = storage.save(name, File(handle, name=name))

"""What the tests of the jurors' pages share: addresses, assignments, conflicts, form data,
the people who try each page, and an entry's files. The scenes (``jury``, ``matrix``,
``assigned``) are fixtures in conftest.py."""

import io

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from core.formatting import format_moment
from jury.models import Assignment, Conflict, Juror
from submissions.models import Attachment, Submission
from tests.factories import OrganisationFactory

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assign(jury, juror, submission, round=None) -> Assignment:
    return Assignment.objects.create(round=round or jury.round, juror=juror, submission=submission)


def url(name: str, jury, **kwargs) -> str:
    return reverse(f"jury:{name}", kwargs={"slug": jury.award.slug, **kwargs})


def block(juror, submission, **extra) -> Conflict:
    """A confirmed conflict with the entry's company (created directly, so that the juror
    keeps the assignment and only the visibility rule stands between them and the entry)."""
    return Conflict.objects.create(juror=juror, organisation=submission.organisation, **extra)


def criterion_fields(jury, values: dict | None = None, **extra) -> dict:
    data = {"version": "0", "overall_comment": ""}
    for criterion in jury.criteria:
        data[f"score_{criterion.pk}"] = ""
        data[f"comment_{criterion.pk}"] = ""
    data.update(values or {})
    data.update(extra)
    return data


def full_scores(jury, first=7, second=8) -> dict:
    c1, c2 = jury.criteria
    return {f"score_{c1.pk}": str(first), f"score_{c2.pk}": str(second)}


def people(jury):
    """Everyone who may try the pages: (user, expected status) per role for an entry page of
    ``jury.submissions[0]``, which jurors[0] is assigned and jurors[2] is in conflict with."""
    return {
        "anonymous": None,
        "applicant": jury.applicant,
        "organiser": jury.organiser,
        "assigned": jury.jurors[0],
        "not_assigned": jury.jurors[1],
        "in_conflict": jury.jurors[2],
        "other_award": jury.other_juror,
    }


def user_of(person):
    return person.user if isinstance(person, Juror) else person


ENTRY_PAGE_STATUS = {
    "applicant": 404,
    "organiser": 404,
    "assigned": 200,
    "not_assigned": 404,
    "in_conflict": 404,
    "other_award": 404,
}


def add_submissions(jury, count: int, start: int = 100) -> list[Submission]:
    organisation = OrganisationFactory()
    owner = jury.submissions[0].created_by
    return Submission.objects.bulk_create(
        Submission(
            award=jury.award,
            category=jury.category,
            organisation=organisation,
            created_by=owner,
            title=f"Bulk entry {start + i}",
            reference=f"LIA-BULK-{start + i:04d}",
            status="eligible",
        )
        for i in range(count)
    )


def expected_deadline(jury, moment) -> str:
    with translation.override("en"):
        return format_moment(jury.award, moment)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def slot(submission, key: str):
    """The file slot ``key`` of the standard form of ``submission``'s award (None without)."""
    return submission.award.questions.filter(key=key).first()


def add_image(submission) -> Attachment:
    """An image in the entry's "images" slot."""
    return Attachment.objects.create(
        submission=submission,
        question=slot(submission, "images"),
        kind="image",
        file=ContentFile(b"\x89PNG fake", name="photo.png"),
        thumbnail=ContentFile(jpeg(), name="thumb.jpg"),
        original_name="Frame photo.png",
        content_type="image/png",
        size=9,
        sha256="0" * 64,
    )


def add_document(submission) -> Attachment:
    """A document in the entry's "documents" slot."""
    return Attachment.objects.create(
        submission=submission,
        question=slot(submission, "documents"),
        kind="document",
        file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"),
        original_name="Plan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="1" * 64,
    )

"""What the tests of the applicant's entry pages and of the entry's files share: the award's
deadline, the roles that try each page and who of them may see or change an entry, hostile
text, and complete form data. The scenes are fixtures in conftest.py."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from submissions import services
from submissions.models import Submission
from submissions.questions import initial_value
from tests.factories import STANDARD_ANSWERS, complete_entry_fields, standard_answers
from tests.helpers import png_bytes

UTC = dt.UTC
CLOSE = dt.datetime(2040, 3, 31, 16, 0, tzinfo=UTC)  # 6 pm in Berlin (summer time)
CLOSE_TEXT = "31 March 2040, 6:00 p.m. (Europe/Berlin)"
ROLES = [
    "anonymous",
    "stranger",
    "member",
    "colleague",
    "other_member",
    "organiser",
    "other_organiser",
    "juror",
]
# Who may see an entry's overview (and its summary and files), and who may change it.
VIEWERS = {"member", "colleague", "organiser"}
EDITORS = {"member", "colleague"}
HOSTILE = '<script>alert(1)</script><a href="javascript:alert(2)" hx-get="/x">x</a>'
HOSTILE_ESCAPED = (
    "&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&quot;javascript:alert(2)&quot; "
    "hx-get=&quot;/x&quot;&gt;x&lt;/a&gt;"
)


def make_complete(entry: Submission) -> Submission:
    for name, value in complete_entry_fields().items():
        setattr(entry, name, value)
    entry.answers = standard_answers(entry.award)
    entry.save()
    services.attachment_add(
        submission=entry,
        actor=entry.created_by,
        upload=SimpleUploadedFile("frame.png", png_bytes(), "image/png"),
    )
    entry.refresh_from_db()
    return entry


def answer_values(award, **overrides) -> dict:
    """The standard answers as ``services.submission_update(answers=…)`` takes them: values
    by question id (``overrides`` by question key)."""
    by_key = {q.key: q.pk for q in award.questions.all()}
    return {by_key[key]: value for key, value in {**STANDARD_ANSWERS, **overrides}.items()}


def field_of(entry: Submission, key: str) -> str:
    """The form field name of the question ``key`` of ``entry``'s form (``q<id>``)."""
    return entry.award.questions.get(key=key).field_name


def form_data(entry: Submission, **overrides) -> dict:
    """The entry's form as the page posts it; ``overrides`` by field name, and by question
    key for the form's questions (``description="…"`` sets the field ``q<id>``)."""
    data = {
        "title": entry.title,
        "summary": entry.summary,
        "version": entry.version,
    }
    questions = {q.key: q for q in entry.award.questions.all()}
    for question in questions.values():
        if question.kind in ("section", "file"):
            continue
        value = initial_value(question, (entry.answers or {}).get(str(question.pk)))
        data[question.field_name] = "" if value is None else value
    for key in list(overrides):
        if key in questions:
            overrides[questions[key].field_name] = overrides.pop(key)
    for name in ("consent_terms", "consent_data", "consent_publication"):
        if getattr(entry, name):
            data[name] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def close_award(award) -> None:
    award.submissions_open_at = timezone.now() - dt.timedelta(days=30)
    award.submissions_close_at = timezone.now() - dt.timedelta(minutes=1)
    award.save()


def closed_text(award) -> str:
    local = timezone.localtime(award.submissions_close_at, award.tzinfo)
    hour = local.strftime("%I").lstrip("0")
    meridiem = "a.m." if local.hour < 12 else "p.m."
    return (
        f"The deadline was {local.day} {local.strftime('%B %Y')}, {hour}:{local:%M} {meridiem} "
        "(Europe/Berlin); entries can no longer be changed."
    )


# On the organisers' pages: values that would run as HTML if they were not escaped.
XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_ORGANISATION = '<a hx-get="/x">Evil</a>'
# An htmx attribute inside a real tag (escaped text such as "&lt;a hx-get" is inert).
ACTIVE_HX = re.compile(r"<[^>]*\s(data-)?hx-")

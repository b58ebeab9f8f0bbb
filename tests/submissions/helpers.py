"""What the tests of the applicant's entry pages and of the entry's files share: the award's
deadline, the roles that try each page and who of them may see or change an entry, hostile
text, and complete form data. The scenes are fixtures in conftest.py."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from submissions import services
from submissions.models import Submission
from tests.factories import complete_entry_fields
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
    entry.save()
    services.attachment_add(
        submission=entry,
        actor=entry.created_by,
        upload=SimpleUploadedFile("frame.png", png_bytes(), "image/png"),
    )
    entry.refresh_from_db()
    return entry


def form_data(entry: Submission, **overrides) -> dict:
    data = {
        "title": entry.title,
        "summary": entry.summary,
        "description": entry.description,
        "lightweight": entry.lightweight,
        "innovation": entry.innovation,
        "future_potential": entry.future_potential,
        "market_readiness": entry.market_readiness or "",
        "team": entry.team,
        "video_url": entry.video_url,
        "version": entry.version,
    }
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

"""An entry's overview (/submissions/<pk>/) and its printable summary and PDF: who may see
them, status, deadline, what is still missing and the actions, escaped text and links."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from submissions import services
from tests.factories import complete_entry_fields, standard_answers
from tests.helpers import login, login_url
from tests.submissions.helpers import (
    CLOSE_TEXT,
    HOSTILE,
    HOSTILE_ESCAPED,
    ROLES,
    VIEWERS,
    close_award,
    closed_text,
    make_complete,
)

pytestmark = pytest.mark.django_db

# --- The overview ---------------------------------------------------------------------------


def expected(role, allowed_status, url):
    return allowed_status if role in VIEWERS else (302 if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_overview_by_role(client, people, entry, role):
    login(client, people[role])
    url = reverse("submissions:detail", kwargs={"pk": entry.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in VIEWERS else 404)


def test_overview_shows_status_deadline_missing_items_and_actions(client, people, entry):
    login(client, people["member"])

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert '<span class="badge text-bg-secondary" data-status="draft">Draft</span>' in html
    assert f'<dd class="col-sm-8" data-testid="deadline">{CLOSE_TEXT}</dd>' in html
    missing = re.search(r'<ul data-testid="missing">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r">([^<>]+)</a></li>", missing) == [
        "Write the short summary.",
        "Answer “Description of the innovation”.",
        "Answer “What makes it lightweight”.",
        "Answer “Degree of innovation”.",
        "Answer “Future potential for people and the region”.",
        "Answer “Market readiness”.",
        "Answer “Team”.",
        "Add a file to “Images of the innovation”.",
        "Accept the conditions of participation.",
        "Agree to the processing of your data.",
    ]
    assert f'href="/submissions/{entry.pk}/edit/#id_summary"' in html
    questions = {q.key: q for q in entry.award.questions.all()}
    # A question links to its input, a file slot to its box on the edit page.
    assert f'href="/submissions/{entry.pk}/edit/#id_{questions["team"].field_name}"' in html
    assert f'href="/submissions/{entry.pk}/edit/#slot-{questions["images"].pk}"' in html
    assert 'data-action="edit"' in html
    assert 'data-action="submit"' in html
    assert 'data-action="withdraw"' not in html


def test_the_organiser_sees_the_overview_without_actions_or_missing_items(client, people, entry):
    login(client, people["organiser"])

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert "Flax bicycle frame" in html
    assert 'data-testid="actions"' not in html
    assert 'data-testid="missing"' not in html


def test_after_the_deadline_the_overview_shows_it_and_offers_no_actions(
    client, people, entry, award
):
    close_award(award)
    login(client, people["member"])

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert closed_text(award) in html
    assert 'data-testid="actions"' not in html


def test_text_fields_are_shown_escaped_on_the_overview(client, people, entry):
    entry.summary = HOSTILE
    entry.answers = standard_answers(entry.award, video_url="javascript:alert(3)")
    entry.title = '<img src=x onerror="alert(4)">'
    entry.save()
    login(client, people["organiser"])

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert HOSTILE_ESCAPED in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert 'hx-get="/x"' not in html
    assert "&lt;img src=x onerror=&quot;alert(4)&quot;&gt;" in html
    assert re.search(r'data-question="video_url">\s*javascript:alert\(3\)\s*</dd>', html)


def test_a_web_video_link_is_a_link(client, people, entry):
    entry.answers = standard_answers(entry.award, video_url="https://video.example/frame?a=1&b=2")
    entry.save()
    login(client, people["member"])

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert (
        '<a href="https://video.example/frame?a=1&amp;b=2" rel="noopener noreferrer nofollow" '
        'target="_blank">https://video.example/frame?a=1&amp;b=2</a>'
    ) in html


# --- Printable summary and PDF --------------------------------------------------------------


@pytest.mark.parametrize("name", ["print", "pdf"])
@pytest.mark.parametrize("role", ROLES)
def test_summary_by_role(client, people, entry, role, name):
    login(client, people[role])
    url = reverse(f"submissions:{name}", kwargs={"pk": entry.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in VIEWERS else 404)


def test_printable_summary_has_every_field_the_files_and_the_reference(client, people, entry):
    entry = make_complete(entry)
    entry = services.submission_submit(
        submission=entry, actor=people["member"], expected_version=entry.version
    )
    entry.summary = HOSTILE
    entry.save()
    login(client, people["member"])

    html = client.get(reverse("submissions:print", kwargs={"pk": entry.pk})).content.decode()

    local = timezone.localtime(entry.submitted_at, entry.award.tzinfo)
    assert '<dd class="col-sm-8" data-testid="reference">LIA-2040-MOB-0001</dd>' in html
    assert f"{local.day} {local:%B %Y}" in html
    assert '<link rel="stylesheet" href="/static/css/entry-print.css">' in html
    for name, value in complete_entry_fields().items():
        if isinstance(value, str) and name != "summary":
            assert value in html, name
    assert "TRL 7 – prototype demonstrated in an operational environment" in html
    assert HOSTILE_ESCAPED in html
    assert '<td class="text-break">frame.png</td>' in html


def test_pdf_summary(client, people, entry):
    entry = make_complete(entry)
    entry = services.submission_submit(
        submission=entry, actor=people["member"], expected_version=entry.version
    )
    login(client, people["member"])

    response = client.get(reverse("submissions:pdf", kwargs={"pk": entry.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="LIA-2040-MOB-0001.pdf"'
    assert response.content.startswith(b"%PDF")
    assert pdf_text_contains(response.content, "LIA-2040-MOB-0001")


def test_pdf_summary_without_a_unicode_font(client, people, entry, monkeypatch):
    from submissions import pdf

    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    entry.summary = "Leicht – „smart“ … 😀"
    entry.save()
    login(client, people["member"])

    response = client.get(reverse("submissions:pdf", kwargs={"pk": entry.pk}))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def pdf_text_contains(content: bytes, text: str) -> bool:
    """Whether ``text`` is in the PDF's metadata (title) or any (inflated) stream."""
    import zlib

    if text.encode() in content or text.encode("utf-16-be") in content:
        return True
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        if text.encode() in data:
            return True
    return False

"""Publishing the results (/manage/<slug>/results/publication/): scheduling in the award's
time zone, refusals, publishing now; and the press kit (CSV, XLSX, share image) with only the
entries whose company agreed."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from openpyxl import load_workbook
from PIL import Image

from awards.models import AuditEntry, Award
from results import services as results_services
from results.models import Decision
from submissions.models import Submission
from tests.helpers import text
from tests.results.manage_helpers import category_url, decide, scored, url

pytestmark = pytest.mark.django_db

# --- Helpers -----------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Publication -------------------------------------------------------------------------


def test_publication_is_scheduled_in_the_awards_time_zone(organiser, s):
    decide(s)
    page = organiser.get(url(s.award, "publication"))
    assert "Decided, not scheduled yet." in text(page)
    response = organiser.post(
        url(s.award, "publication"), {"action": "schedule", "at": "2031-05-24T18:00"}
    )
    assert response.status_code == 302
    award = Award.objects.get(pk=s.award.pk)
    assert award.results_publish_at == dt.datetime(2031, 5, 24, 16, 0, tzinfo=dt.UTC)
    page = organiser.get(url(s.award, "publication"))
    assert "Scheduled for 24 May 2031, 6:00 p.m. (Europe/Berlin)." in text(page)
    assert 'value="2031-05-24T18:00"' in text(page)
    assert messages_of(page) == [
        "The results will be published on 24 May 2031, 6:00 p.m. (Europe/Berlin)."
    ]
    entry = AuditEntry.objects.filter(award=s.award, action="results.scheduled").get()
    assert parse_datetime(entry.data["after"]) == award.results_publish_at

    response = organiser.post(url(s.award, "publication"), {"action": "cancel"})
    assert response.status_code == 302
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publication_is_refused_while_not_decided(organiser, s):
    page = organiser.get(url(s.award, "publication"))
    assert "Not decided yet." in text(page)
    assert s.category.name in text(page)
    response = organiser.post(
        url(s.award, "publication"), {"action": "schedule", "at": "2031-05-24T18:00"}
    )
    assert response.status_code == 400
    assert messages_of(response) == ["Results can be scheduled once the award is “Decided”."]
    response = organiser.post(url(s.award, "publication"), {"action": "now"})
    assert response.status_code == 400
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publication_errors_are_shown_at_the_field(organiser, s):
    decide(s)
    for value, message in (
        ("", "Enter the date and time of publication."),
        ("2020-01-01T12:00", "This moment has passed. To publish at once, use “Publish now”."),
        ("2031-03-30T02:30", None),  # the clocks go forward in Berlin: no such time
    ):
        response = organiser.post(url(s.award, "publication"), {"action": "schedule", "at": value})
        assert response.status_code == 400, value
        errors = response.context["form"].errors["at"]
        if message:
            assert errors == [message]
        else:
            assert "does not exist in the time zone Europe/Berlin" in errors[0]
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publish_now_makes_the_results_public(client, organiser, s):
    decide(s)
    # Decided, not yet public: the category's page offers to reopen the decision.
    assert 'data-testid="reopen-form"' in text(organiser.get(category_url(s.award, s.category)))
    before = timezone.now()
    response = organiser.post(url(s.award, "publication"), {"action": "now"})
    assert response.status_code == 302
    award = Award.objects.get(pk=s.award.pk)
    assert before <= award.results_publish_at <= timezone.now()
    assert award.results_are_public()
    page = organiser.get(url(s.award, "publication"))
    assert "Public since" in text(page)
    assert reverse("results:public", kwargs={"slug": s.award.slug}) in text(page)
    # Public now: the decision can no longer be reopened.
    page = text(organiser.get(category_url(s.award, s.category)))
    assert 'data-testid="reopen-form"' not in page
    assert "The results are public; the decision can no longer change." in page


# --- Press kit ---------------------------------------------------------------------------


def test_press_kit_is_404_before_the_award_is_decided(organiser, s):
    assert organiser.get(url(s.award, "press_csv")).status_code == 404
    assert organiser.get(url(s.award, "press_xlsx")).status_code == 404


def _press_world():
    s = scored()
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2)
    e0, e1, _e2 = s.submissions
    # Both companies agreed to the publication of their names (the press kit names no one
    # else; see the test below).
    Submission.objects.filter(pk__in=[e0.pk, e1.pk]).update(consent_publication=True)
    Submission.objects.filter(pk=e0.pk).update(
        title='=HYPERLINK("http://evil.example")', summary="Flax frame, 40 % lighter."
    )
    e0.organisation.city = "Dresden"
    e0.organisation.save(update_fields=["city"])
    results_services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[e0.pk, e1.pk]),
        justification="",
        actor=s.organiser,
    )
    s.award.refresh_from_db()
    return s


def test_press_csv_lists_one_row_per_winner(client):
    s = _press_world()
    client.force_login(s.organiser)
    response = client.get(url(s.award, "press_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{s.award.slug}-winners.csv"'
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    e0, e1, _e2 = s.submissions
    e1.refresh_from_db()
    assert table == [
        ["Award", "Category", "Distinction", "Reference", "Project", "Company", "City", "Prize",
         "Summary"],
        [str(s.award), s.category.name, "Winner", e0.reference,
         "'=HYPERLINK(\"http://evil.example\")", e0.organisation.name, "Dresden", "€10,000",
         "Flax frame, 40 % lighter."],
        [str(s.award), s.category.name, "Second place", e1.reference, e1.title,
         e1.organisation.name, e1.organisation.city, "", e1.summary],
    ]  # fmt: skip


def test_press_kit_names_no_entry_whose_company_withheld_consent(client):
    s = _press_world()
    _e0, e1, _e2 = s.submissions
    Submission.objects.filter(pk=e1.pk).update(consent_publication=False)
    client.force_login(s.organiser)

    table = list(
        csv.reader(io.StringIO(client.get(url(s.award, "press_csv")).content.decode("utf-8-sig")))
    )
    second = Decision.objects.get(award=s.award, place=2)
    image = client.get(url(s.award, "press_image", pk=second.pk))

    assert [row[2] for row in table[1:]] == ["Winner"]
    assert e1.title not in str(table)
    assert image.status_code == 404


def test_press_xlsx_opens_with_the_same_rows(client):
    s = _press_world()
    client.force_login(s.organiser)
    response = client.get(url(s.award, "press_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{s.award.slug}-winners.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Award", "Category", "Distinction"]
    assert [row[2] for row in values[1:]] == ["Winner", "Second place"]
    assert values[1][4] == '\'=HYPERLINK("http://evil.example")'


def test_share_image_is_a_1200_by_630_png(client):
    s = _press_world()
    client.force_login(s.organiser)
    decision = Decision.objects.get(award=s.award, place=1)
    response = client.get(url(s.award, "press_image", pk=decision.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    page = text(client.get(url(s.award, "publication")))
    assert url(s.award, "press_image", pk=decision.pk) in page
    assert client.get(url(s.award, "press_image", pk=decision.pk + 1000)).status_code == 404

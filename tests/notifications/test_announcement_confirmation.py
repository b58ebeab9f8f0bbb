"""An announcement is checked before it is sent: the recipients per language, the mail
rendered in German and English, a test mail to the organiser alone through the outbox; only
the confirmed POST sends, once per form, and nobody but the organisers may ask."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards.models import AuditEntry, Award
from notifications.models import BulkSend, Message
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import html_lang, text
from tests.notifications.helpers import announcement_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


@pytest.fixture
def applicants(award):
    """Four applicants: Dora Deutsch and Dirk Dachs (German) and Emma English (English) of a
    company with a submitted entry, Eric Evans (English) of one with an eligible entry, and
    Dora also of the second company (counted once). Not applicants: the member of a company
    with a draft only, and a deactivated member."""
    red = OrganisationFactory(name="Red Arrow")
    blue = OrganisationFactory(name="Blue Fibre")
    grey = OrganisationFactory(name="Grey Draft")
    people = {
        "dora": UserFactory(full_name="Dora Deutsch", preferred_language="de"),
        "dirk": UserFactory(full_name="Dirk Dachs", preferred_language="de"),
        "emma": UserFactory(full_name="Emma English", preferred_language="en"),
        "eric": UserFactory(full_name="Eric Evans", preferred_language="en"),
    }
    for name in ("dora", "dirk", "emma"):
        MembershipFactory(organisation=red, user=people[name])
    MembershipFactory(organisation=blue, user=people["eric"])
    MembershipFactory(organisation=blue, user=people["dora"])
    drafter = MembershipFactory(organisation=grey, user=UserFactory(preferred_language="de")).user
    MembershipFactory(organisation=red, user=UserFactory(is_active=False))
    SubmissionFactory(award=award, organisation=red, created_by=people["dora"], status="submitted")
    SubmissionFactory(award=award, organisation=blue, created_by=people["eric"], status="eligible")
    SubmissionFactory(award=award, organisation=grey, created_by=drafter, status="draft")
    return people


def create_url(award: Award) -> str:
    return reverse("notifications:announcement_create", kwargs={"slug": award.slug})


def check(**overrides) -> dict[str, str]:
    """The form as it is sent to be checked (not confirmed)."""
    data = announcement_data(**{"audience": "applicants", "custom_recipients": "", **overrides})
    del data["confirm"]
    return data


def announcements() -> int:
    return BulkSend.objects.count()


def test_the_form_asks_to_check_before_sending(client, award, organiser):
    client.force_login(organiser)

    html = text(client.get(create_url(award)))

    assert 'name="action" value="preview"' in html
    assert "Send announcement" not in html


def test_the_check_counts_the_recipients_per_language(client, award, organiser, applicants):
    client.force_login(organiser)

    response = client.post(create_url(award), check())

    html = text(response)
    assert response.status_code == 200
    assert re.search(r'data-testid="recipients-total">4 recipients<', html)
    assert re.search(r'data-testid="recipients-de">2<', html)
    assert re.search(r'data-testid="recipients-en">2<', html)
    assert "All applicants of the award" in html
    assert 'data-testid="announcement-send">Send to 4 recipients<' in html
    assert (announcements(), Message.objects.count()) == (0, 0)


def test_the_check_renders_the_mail_in_both_languages(client, award, organiser, applicants):
    client.force_login(organiser)

    html = text(client.post(create_url(award), check()))

    # The first recipient of each language is the sample.
    assert 'data-testid="preview-subject-de">Einladung zur Preisverleihung<' in html
    assert (
        'data-testid="preview-text-de">Guten Tag Dora Deutsch,\n\n'
        "wir laden Sie zum Lightweight Innovation Award 2027 ein.<"
    ) in html
    assert 'data-testid="preview-subject-en">Invitation to the award ceremony<' in html
    assert (
        'data-testid="preview-text-en">Dear Emma English,\n\n'
        "we invite you to the Lightweight Innovation Award 2027.<"
    ) in html
    assert "(as Dora Deutsch receives it)" in html


def test_the_check_of_a_list_of_addresses(client, award, organiser):
    UserFactory(email="anna@example.org", full_name="Anna Account", preferred_language="en")
    client.force_login(organiser)

    html = text(
        client.post(
            create_url(award),
            check(
                audience="custom",
                custom_recipients="Max@Example.org\nerika@example.org, anna@example.org",
            ),
        )
    )

    # Addresses without an account get German.
    assert re.search(r'data-testid="recipients-total">3 recipients<', html)
    assert re.search(r'data-testid="recipients-de">2<', html)
    assert re.search(r'data-testid="recipients-en">1<', html)
    assert 'data-testid="preview-text-en">Dear Anna Account,' in html
    assert "(as erika@example.org receives it)" in html


def test_the_check_carries_the_form_and_can_go_back_to_it(client, award, organiser, applicants):
    client.force_login(organiser)
    data = check()

    html = text(client.post(create_url(award), data))

    form = re.search(
        r'<form [^>]*data-testid="announcement-confirm-form"[^>]*>(.*?)</form>', html, re.S
    )
    assert "data-once" in form.group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))
    assert hidden["request_token"] == data["request_token"]
    assert hidden["audience"] == "applicants"
    assert hidden["subject_en"] == "Invitation to the award ceremony"
    assert 'name="confirm" value="on"' in form.group(1)

    back = client.post(create_url(award), {**data, "action": "edit"})

    assert back.templates[0].name == "notifications/announcement_form.html"
    assert "we invite you to the {{ award_name }}.</textarea>" in text(back)
    assert announcements() == 0


def test_an_empty_audience_is_refused_at_the_check(client, award, organiser):
    client.force_login(organiser)

    response = client.post(create_url(award), check(audience="jurors"))

    assert response.context["form"].non_field_errors() == [
        "Nobody is in this audience yet; nothing was sent."
    ]
    assert announcements() == 0


def test_a_test_mail_goes_to_the_organiser_alone(client, award, organiser, applicants):
    client.force_login(organiser)
    data = check()

    response = client.post(create_url(award), {**data, "action": "test"})

    assert response.status_code == 200
    assert 'data-testid="announcement-send"' in text(response)
    assert [str(m) for m in response.context["messages"]] == [
        f"A test in German and in English has been sent to you ({organiser.email}) through the "
        "outbox; nobody else received it."
    ]
    tests = Message.objects.order_by("language")
    assert [(m.recipient, m.recipient_email, m.language, m.award) for m in tests] == [
        (organiser, organiser.email, "de", award),
        (organiser, organiser.email, "en", award),
    ]
    assert [m.subject for m in tests] == [
        "[Test] Einladung zur Preisverleihung",
        "[Test] Invitation to the award ceremony",
    ]
    assert tests[1].body_text == (
        "Dear Olga Organiser,\n\nwe invite you to the Lightweight Innovation Award 2027."
    )
    assert {m.template_key for m in tests} == {"announcement"}
    assert all(m.bulk is None for m in tests)
    assert announcements() == 0

    # A second click writes nothing more; a changed text is a new test (of that language).
    client.post(create_url(award), {**data, "action": "test"})
    assert Message.objects.count() == 2
    client.post(create_url(award), {**data, "action": "test", "subject_en": "Save the date"})
    assert Message.objects.count() == 3
    assert Message.objects.latest("pk").subject == "[Test] Save the date"
    assert set(Message.objects.values_list("recipient_email", flat=True)) == {organiser.email}


def test_the_confirmed_post_sends_once(client, award, organiser, applicants):
    client.force_login(organiser)
    data = {**check(), "confirm": "on"}

    first = client.post(create_url(award), data)
    second = client.post(create_url(award), data)

    bulk = BulkSend.objects.get()
    detail = reverse("notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk})
    assert first["Location"] == second["Location"] == detail
    assert (bulk.audience, bulk.total) == ("applicants", 4)
    assert AuditEntry.objects.filter(action="announcement.created").count() == 1


def test_the_checks_own_form_sends_what_was_checked(client, award, organiser):
    client.force_login(organiser)
    pasted = "Max@Example.org\nerika@example.org; anna@example.org"
    page = text(client.post(create_url(award), check(audience="custom", custom_recipients=pasted)))
    form = re.search(r'data-testid="announcement-confirm-form">(.*?)</form>', page, re.S).group(1)
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
    }

    client.post(create_url(award), {**data, "confirm": "on"})

    bulk = BulkSend.objects.get()
    assert bulk.custom_recipients == "anna@example.org\nerika@example.org\nmax@example.org"
    assert bulk.body_de == check()["body_de"]


def test_anonymous_visitors_are_sent_to_log_in(client, award, applicants):
    response = client.post(create_url(award), {**check(), "action": "test"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert (announcements(), Message.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
@pytest.mark.parametrize("action", ["preview", "test", "send"])
def test_everyone_else_gets_404(client, award, applicants, who, action):
    user = {
        "applicant": applicants["dora"],
        "juror": JurorFactory(award=award).user,
        "other_organiser": AwardRoleFactory(award=AwardFactory(slug="x-2031")).user,
    }[who]
    client.force_login(user)
    data = {**check(), "action": action}
    if action == "send":
        data["confirm"] = "on"

    response = client.post(create_url(award), data)

    assert response.status_code == 404
    assert (announcements(), Message.objects.count()) == (0, 0)


def test_the_check_in_german(client, award, organiser, applicants):
    organiser.preferred_language = "de"
    organiser.save(update_fields=["preferred_language"])
    client.force_login(organiser)

    response = client.post(create_url(award), check())

    html = text(response)
    assert html_lang(response) == "de"
    with translation.override("de"):
        assert gettext("Send the announcement?") in html
        assert gettext("Send a test mail to me") in html
        assert f"{gettext('German')} <strong" in html
    assert re.search(r'data-testid="recipients-de">2<', html)

"""An announcement's subject on the organisers' pages: in the reader's language (the other
one when it is left empty), its placeholders filled, never the raw template."""

import pytest
from django.urls import reverse

from tests.factories import AwardFactory, AwardRoleFactory, UserFactory
from tests.notifications.helpers import make_bulk, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


def organiser_reading(award, language: str):
    user = UserFactory(preferred_language=language)
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def bulk(award):
    return make_bulk(
        award,
        subject_de="Einladung: {{ award_name }}",
        subject_en="Invitation: {{ award_name }} by {{ organiser_name }}",
    )


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("de", "Einladung: Lightweight Innovation Award 2027"),
        ("en", "Invitation: Lightweight Innovation Award 2027 by Composites United e.V."),
    ],
)
def test_the_detail_and_the_list_show_the_subject_in_the_readers_language(
    client, award, bulk, language, subject
):
    client.force_login(organiser_reading(award, language))

    detail = client.get(
        reverse("notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk})
    ).content.decode()
    listing = client.get(
        reverse("notifications:announcements", kwargs={"slug": award.slug})
    ).content.decode()

    assert f'<h1 class="h2">{subject}</h1>' in detail
    assert f"<title>{subject} ·" in detail
    assert f">{subject}</a>" in listing
    assert "{{" not in detail.split('id="texts-title"')[0]
    assert "{{" not in listing


def test_an_empty_subject_falls_back_to_the_other_language(award):
    bulk = make_bulk(award, subject_de="", subject_en="News about the {{ award_name }}")

    assert bulk.subject_shown("de") == "News about the Lightweight Innovation Award 2027"


def test_a_message_of_the_announcement_names_it_rendered(client, award, bulk):
    message = make_message(award, bulk=bulk, template_key="announcement")
    client.force_login(organiser_reading(award, "de"))

    html = client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": message.pk})
    ).content.decode()

    assert ">Einladung: Lightweight Innovation Award 2027</a>" in html

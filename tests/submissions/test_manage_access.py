"""Who may see the organisers' entry pages (/manage/<slug>/submissions/…) and the exports:
anonymous visitors are sent to log in, only the award's organisers and superusers get in, and
another award's entry is 404 through this award's addresses."""

import pytest
from django.urls import reverse

from notifications.models import Message
from tests.factories import AwardRoleFactory, JurorFactory
from tests.helpers import en_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(submitted_entry):
    """On the organisers' pages ``entry`` is the submitted one (conftest.py)."""
    return submitted_entry


def user_for(role: str, *, award, other_award, applicant):
    return {
        "stranger": lambda: en_user(),
        "applicant": lambda: applicant,
        "juror": lambda: JurorFactory(award=award, user=en_user()).user,
        "other_organiser": lambda: AwardRoleFactory(award=other_award, user=en_user()).user,
        "organiser": lambda: AwardRoleFactory(award=award, user=en_user()).user,
        "superuser": lambda: en_user(is_superuser=True),
    }[role]()


# --- Who may see what ---------------------------------------------------------------------


# (url name, method, kwargs needing the entry, POST data)
VIEWS = [
    ("list", "get", False, None),
    ("detail", "get", True, None),
    ("eligibility", "post", True, {"decision": "eligible"}),
    ("extension", "post", True, {"until": "2040-04-07T18:00"}),
    ("export_csv", "get", False, None),
    ("export_csv_excel", "get", False, None),
    ("export_xlsx", "get", False, None),
    ("documents_zip", "get", "category", None),
]
ALLOWED = {"list": 200, "detail": 200, "eligibility": 302, "extension": 302}


def view_url(name, needs, award, entry):
    kwargs = {"slug": award.slug}
    if needs is True:
        kwargs["pk"] = entry.pk
    elif needs == "category":
        kwargs["category_id"] = entry.category_id
    return reverse(f"submissions_manage:{name}", kwargs=kwargs)


def call(client, method, url, data):
    response = getattr(client, method)(url, data or {})
    if response.streaming:
        # Read to the end: the test client then closes the response itself.
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("name", "method", "needs", "data"), VIEWS)
def test_anonymous_visitor_is_sent_to_login(client, award, entry, name, method, needs, data):
    url = view_url(name, needs, award, entry)

    response = call(client, method, url, data)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize(("name", "method", "needs", "data"), VIEWS)
@pytest.mark.parametrize(
    "role", ["stranger", "applicant", "juror", "other_organiser", "organiser", "superuser"]
)
def test_only_the_awards_organisers_and_superusers_get_in(
    client, award, other_award, entry, applicant, role, name, method, needs, data
):
    client.force_login(user_for(role, award=award, other_award=other_award, applicant=applicant))

    response = call(client, method, view_url(name, needs, award, entry), data)

    allowed = role in {"organiser", "superuser"}
    assert response.status_code == (ALLOWED.get(name, 200) if allowed else 404)
    entry.refresh_from_db()
    if not allowed:
        assert (entry.status, entry.deadline_extended_until) == ("submitted", None)
        assert not Message.objects.filter(template_key="submission.eligibility").exists()


def test_unverified_organiser_gets_404(client, award, entry):
    user = AwardRoleFactory(award=award, user=en_user(email_verified_at=None)).user
    client.force_login(user)

    assert client.get(reverse("submissions_manage:list", args=[award.slug])).status_code == 404


@pytest.mark.parametrize(("name", "method"), [("detail", "get"), ("eligibility", "post")])
def test_another_awards_entry_through_this_awards_address_is_404(
    client, award, organiser, other_entry, name, method
):
    client.force_login(organiser)
    url = reverse(f"submissions_manage:{name}", args=[award.slug, other_entry.pk])

    response = getattr(client, method)(url, {"decision": "ineligible", "reason": "No."})

    assert response.status_code == 404
    other_entry.refresh_from_db()
    assert other_entry.status == "submitted"


def test_another_awards_entry_cannot_get_an_extension_through_this_award(
    client, award, organiser, other_entry
):
    client.force_login(organiser)
    url = reverse("submissions_manage:extension", args=[award.slug, other_entry.pk])

    response = client.post(url, {"until": "2040-04-07T18:00"})

    assert response.status_code == 404
    other_entry.refresh_from_db()
    assert other_entry.deadline_extended_until is None


def test_the_manage_page_links_to_the_entries(client, award, organiser):
    client.force_login(organiser)

    response = client.get(reverse("awards:manage", args=[award.slug]))

    assert f'href="/manage/{award.slug}/submissions/"' in response.content.decode()

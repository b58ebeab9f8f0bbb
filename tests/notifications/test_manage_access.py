"""Who may open the organisers' message pages (/manage/<slug>/messages/…): anonymous
visitors are sent to log in, everyone who may not manage the award gets 404 and changes
nothing, the organiser and a superuser may use every page, and the award page links them."""

import pytest
from django.urls import reverse

from awards.models import AuditEntry, Award
from notifications.models import BulkSend, MailTemplate, Message
from tests.factories import AwardFactory, AwardRoleFactory, JurorFactory, UserFactory
from tests.notifications.helpers import KEY, announcement_data, make_bulk, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


@pytest.fixture
def objects(award):
    """A failed message, an announcement with a failed message, and an override."""
    bulk = make_bulk(award)
    return {
        "message": make_message(award, status="failed", attempts=8, last_error="SMTP 550"),
        "bulk": bulk,
        "bulk_message": make_message(
            award, bulk=bulk, status="failed", template_key="announcement"
        ),
        "template": MailTemplate.objects.create(
            award=award, key=KEY, language="en", subject="Received", body="Thanks."
        ),
    }


# Every page by URL name and method, with what its address needs and what a POST sends.
PAGES = [
    ("outbox", "get"),
    ("message", "get"),
    ("retry", "post"),
    ("templates", "get"),
    ("template_edit", "get"),
    ("template_edit", "post"),
    ("template_reset", "post"),
    ("announcements", "get"),
    ("announcement_create", "get"),
    ("announcement_create", "post"),
    ("announcement", "get"),
    ("announcement_progress", "get"),
    ("announcement_retry", "post"),
]


def page_url(name: str, award: Award, objects: dict) -> str:
    kwargs: dict = {"slug": award.slug}
    if name == "message":
        kwargs["pk"] = objects["message"].pk
    elif name.startswith("announcement") and name not in ("announcements", "announcement_create"):
        kwargs["pk"] = objects["bulk"].pk
    elif name.startswith("template_"):
        kwargs.update(key=KEY, language="en")
    return reverse(f"notifications:{name}", kwargs=kwargs)


def post_data(name: str) -> dict[str, str]:
    if name == "template_edit":
        return {"subject": "Taken over", "body": "Hello", "action": "save"}
    if name == "announcement_create":
        return announcement_data()
    return {}


def denied_user(kind: str, award: Award) -> UserFactory:
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="elsewhere-2029", edition=2029), user=user)
    elif kind in ("juror", "jury_chair"):
        JurorFactory(award=award, user=user, role=kind)
    elif kind == "unverified_organiser":
        user.email_verified_at = None
        user.save(update_fields=["email_verified_at"])
        AwardRoleFactory(award=award, user=user, role="organiser")
    return user


def state(award: Award) -> dict:
    """Everything a page could change, to show that a refused request changed nothing."""
    return {
        "statuses": sorted(Message.objects.values_list("pk", "status")),
        "templates": sorted(MailTemplate.objects.values_list("key", "language", "subject")),
        "bulks": BulkSend.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_anonymous_visitor_is_sent_to_login(client, award, objects, name, method):
    url = page_url(name, award, objects)
    before = state(award)

    response = getattr(client, method)(url, post_data(name) if method == "post" else None)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert state(award) == before


@pytest.mark.parametrize(("name", "method"), PAGES)
@pytest.mark.parametrize(
    "kind", ["no_role", "juror", "jury_chair", "other_organiser", "unverified_organiser"]
)
def test_user_who_may_not_manage_the_award_gets_404(client, award, objects, name, method, kind):
    client.force_login(denied_user(kind, award))
    before = state(award)

    response = getattr(client, method)(
        page_url(name, award, objects), post_data(name) if method == "post" else None
    )

    assert response.status_code == 404
    assert state(award) == before


@pytest.mark.parametrize(("name", "method"), PAGES)
@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_organiser_and_superuser_may_use_every_page(
    client, award, objects, organiser, superuser, name, method, who
):
    client.force_login({"organiser": organiser, "superuser": superuser}[who])

    response = getattr(client, method)(
        page_url(name, award, objects), post_data(name) if method == "post" else None
    )

    assert response.status_code == (200 if method == "get" else 302)


def test_unknown_award_gets_404_even_for_a_superuser(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("notifications:outbox", kwargs={"slug": "no-such-award"}))

    assert response.status_code == 404


def test_manage_page_links_the_message_pages(client, award, organiser):
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    for name in ("outbox", "templates", "announcements"):
        assert f'href="{reverse(f"notifications:{name}", kwargs={"slug": award.slug})}"' in html

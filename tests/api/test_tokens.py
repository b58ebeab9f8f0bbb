"""Personal access tokens: made by the service (shown once, stored as a digest, on the
award's change log), checked on every request (unknown, malformed, expired, revoked → 401
with a message; another award → 404; a read token that writes → 403; last use recorded;
too many requests → 429), and the pages in the person's account."""

import datetime as dt

import pytest
from django.urls import include, path, reverse
from django.utils import timezone
from rest_framework.response import Response

from api.models import ApiToken
from api.services import TokenError, api_token_create, api_token_revoke
from api.throttling import TokenRateThrottle
from api.tokens import token_digest
from api.views.base import AwardAPIView
from awards.models import AuditEntry
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# A probe of one award, beside the real URLs: what every endpoint of an award inherits
# (``AwardAPIView``), whatever the endpoints the award's URLs hold.
class Probe(AwardAPIView):
    def get(self, request, slug):
        return Response({"award": self.award.slug, "user": request.user.email})

    def post(self, request, slug):
        return Response({"changed": True}, status=201)


urlpatterns = [
    path("api/v1/probe/<slug:slug>/", Probe.as_view(), name="probe"),
    path("", include("config.urls")),
]
with_probe = pytest.mark.urls("tests.api.test_tokens")


def probe(slug: str) -> str:
    return f"/api/v1/probe/{slug}/"


@pytest.fixture
def award():
    return AwardFactory(status="open")


@pytest.fixture
def organiser(award):
    return AwardRoleFactory(award=award, user=UserFactory(preferred_language="en")).user


def bearer(client, token: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- The service ---------------------------------------------------------------------------


def test_a_new_token_is_returned_once_and_stored_only_as_its_digest(award, organiser):
    token, plain = api_token_create(
        user=organiser, award=award, name="Website", scope="read", expires_in_days=90
    )

    assert plain.startswith("lrl_") and len(plain) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == token_digest(plain)
    assert stored.prefix == plain[:12]
    assert plain not in {getattr(stored, f.attname) for f in ApiToken._meta.concrete_fields}
    assert abs(stored.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(
        seconds=5
    )
    entry = AuditEntry.objects.get(award=award, action="api.token_created")
    assert entry.actor == organiser
    assert entry.data["name"] == "Website" and entry.data["scope"] == "read"
    assert plain not in str(entry.data)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_an_expiry_outside_1_to_the_maximum_is_refused(award, organiser, days):
    with pytest.raises(TokenError) as caught:
        api_token_create(user=organiser, award=award, name="x", scope="read", expires_in_days=days)

    assert "expires_in_days" in caught.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_maximum_is_a_setting(award, organiser, settings):
    settings.LAUREL_API_TOKEN_MAX_DAYS = 30

    with pytest.raises(TokenError):
        api_token_create(user=organiser, award=award, name="x", scope="read", expires_in_days=31)
    api_token_create(user=organiser, award=award, name="x", scope="read", expires_in_days=30)


def test_only_awards_with_a_role_of_the_user(award):
    juror = JurorFactory(award=award).user
    former = JurorFactory(award=award, is_active=False).user
    applicant = MembershipFactory(organisation=SubmissionFactory(award=award).organisation).user
    stranger = UserFactory()

    for user in (juror, applicant):
        api_token_create(user=user, award=award, name="x", scope="read", expires_in_days=1)
    for user in (former, stranger):
        with pytest.raises(TokenError) as caught:
            api_token_create(user=user, award=award, name="x", scope="read", expires_in_days=1)
        assert "award" in caught.value.message_dict
    assert ApiToken.objects.count() == 2


def test_an_award_that_requires_a_second_factor_needs_one_first(award, organiser):
    award.mfa_required = True
    award.save(update_fields=["mfa_required"])

    with pytest.raises(TokenError) as caught:
        api_token_create(user=organiser, award=award, name="x", scope="read", expires_in_days=1)

    assert "award" in caught.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_token_made_before_the_award_required_a_second_factor_stops_working(
    api_client, award, organiser, token_for
):
    """As every page of the award: the requirement holds for tokens made before it."""
    bearer(api_client, token_for(organiser, award))
    url = f"/api/v1/awards/{award.slug}/"
    assert api_client.get(url).status_code == 200

    award.mfa_required = True
    award.save(update_fields=["mfa_required"])

    refused = api_client.get(url)
    assert refused.status_code == 403
    assert "requires a second factor" in refused.json()["detail"]


def test_revoking_is_logged_once(award, organiser):
    token, _plain = api_token_create(
        user=organiser, award=award, name="CRM", scope="write", expires_in_days=10
    )

    api_token_revoke(token=token, actor=organiser)
    api_token_revoke(token=token, actor=organiser)

    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(award=award, action="api.token_revoked").count() == 1


# --- Authentication on every request --------------------------------------------------------


@with_probe
def test_a_valid_token_reaches_its_award_and_records_the_last_use(
    api_client, award, organiser, token_for
):
    plain = token_for(organiser, award)
    assert ApiToken.objects.get().last_used_at is None

    answer = bearer(api_client, plain).get(probe(award.slug))

    assert answer.status_code == 200
    assert answer.json() == {"award": award.slug, "user": organiser.email}
    used = ApiToken.objects.get().last_used_at
    assert used is not None and timezone.now() - used < dt.timedelta(seconds=5)


@with_probe
@pytest.mark.parametrize(
    "header",
    ["", "Bearer lrl_unknownunknownunknownunknown", "Token abc", "Bearer", "lrl_x"],
    ids=["none", "unknown", "other-scheme", "empty", "no-scheme"],
)
def test_without_a_valid_token_the_answer_is_401_with_a_message(api_client, award, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    else:
        api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")

    answer = api_client.get(probe(award.slug))

    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    assert answer.json()["detail"] in {
        "Authentication credentials were not provided.",
        "Send the token as “Bearer lrl_…”.",
        "This token is unknown, expired or revoked.",
    }


@with_probe
def test_an_expired_token_is_refused(api_client, award, organiser, token_for):
    plain = token_for(organiser, award)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    answer = bearer(api_client, plain).get(probe(award.slug), HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 401
    assert answer.json() == {"detail": "This token is unknown, expired or revoked."}


@with_probe
def test_a_revoked_token_is_refused(api_client, award, organiser, token_for):
    plain = token_for(organiser, award)
    api_token_revoke(token=ApiToken.objects.get(), actor=organiser)

    answer = bearer(api_client, plain).get(probe(award.slug), HTTP_ACCEPT_LANGUAGE="en")

    assert answer.status_code == 401
    assert answer.json() == {"detail": "This token is unknown, expired or revoked."}


@with_probe
def test_without_a_token_the_refusal_speaks_the_asked_language(api_client, award):
    german = api_client.get(probe(award.slug))
    english = api_client.get(probe(award.slug), HTTP_ACCEPT_LANGUAGE="en")

    assert german.json() == {"detail": "Anmeldedaten fehlen."}
    assert english.json() == {"detail": "Authentication credentials were not provided."}


@with_probe
@pytest.mark.parametrize(("language", "message"), [("de", "Nicht gefunden."), ("en", "Not found.")])
def test_with_a_token_errors_speak_its_users_language(
    api_client, award, organiser, token_for, language, message
):
    organiser.preferred_language = language
    organiser.save(update_fields=["preferred_language"])
    bearer(api_client, token_for(organiser, award))

    # Whatever the program's Accept-Language says.
    answer = api_client.get(
        probe("elsewhere"), HTTP_ACCEPT_LANGUAGE="en" if language == "de" else "de"
    )

    assert answer.status_code == 404
    assert answer.json() == {"detail": message}


@with_probe
def test_a_token_of_award_a_finds_nothing_of_award_b(api_client, award, organiser, token_for):
    other = AwardFactory(status="open")
    AwardRoleFactory(award=other, user=organiser)  # organiser there too: the token still says A
    plain = token_for(organiser, award)

    answer = bearer(api_client, plain).get(probe(other.slug))

    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}


@with_probe
def test_a_read_token_cannot_write(api_client, award, organiser, token_for):
    read, write = token_for(organiser, award, "read"), token_for(organiser, award, "write")

    refused = bearer(api_client, read).post(probe(award.slug), {}, format="json")
    allowed = bearer(api_client, write).post(probe(award.slug), {}, format="json")

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This token may only read. Create a read-and-write token to change data."
    }
    assert allowed.status_code == 201


@with_probe
def test_too_many_requests_get_429_with_retry_after(
    api_client, award, organiser, token_for, monkeypatch
):
    monkeypatch.setattr(
        TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min", "anonymous": "2/min"}
    )
    bearer(api_client, token_for(organiser, award))

    answers = [api_client.get(probe(award.slug)).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = api_client.get(probe(award.slug))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Request was throttled" in refused.json()["detail"]
    # Another token counts on its own.
    bearer(api_client, token_for(organiser, award))
    assert api_client.get(probe(award.slug)).status_code == 200


# --- The pages ----------------------------------------------------------------------------

LIST = reverse("api_tokens:list")
CREATE = reverse("api_tokens:create")


def form(award, **overrides):
    return {
        "name": "Website",
        "award": award.pk,
        "scope": "read",
        "expires_in_days": 90,
        **overrides,
    }


@pytest.mark.parametrize("url", [LIST, CREATE, "/accounts/api-tokens/1/revoke/"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    answer = client.get(url)

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))


def test_creating_shows_the_token_once_then_only_its_prefix(client, award, organiser):
    client.force_login(organiser)
    page = client.get(CREATE).content.decode()
    assert 'value="90"' in page  # the default expiry
    assert f'value="{award.pk}"' in page

    answer = client.post(CREATE, form(award))

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    html = answer.content.decode()
    token = ApiToken.objects.get()
    plain = html.split('data-testid="token-plain">')[1].split("<")[0]
    assert token.digest == token_digest(plain)
    assert "shown only this once" in html
    listing = client.get(LIST).content.decode()
    assert plain not in listing
    assert f"{token.prefix}…" in listing
    assert "Website" in listing and str(award) in listing
    assert "Never" in listing  # not used yet


def test_the_pages_speak_german(client, award):
    user = AwardRoleFactory(award=award).user  # preferred language German
    client.force_login(user)

    # (The new texts are German once the translations are compiled; the page around them
    # is already.)
    assert "Zurück zu Ihrem Profil" in client.get(LIST).content.decode()
    assert "Abbrechen" in client.get(CREATE).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 366}, "expires_in_days"),
        ({"name": ""}, "name"),
        ({"scope": "admin"}, "scope"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_created(
    client, award, organiser, overrides, field
):
    client.force_login(organiser)

    answer = client.post(CREATE, form(award, **overrides))

    assert answer.status_code == 200
    assert field in answer.context["form"].errors
    assert not ApiToken.objects.exists()


def test_an_award_without_a_role_is_not_offered_and_refused(client, award, organiser):
    elsewhere = AwardFactory(status="open")
    client.force_login(organiser)

    assert f'value="{elsewhere.pk}"' not in client.get(CREATE).content.decode()
    answer = client.post(CREATE, form(elsewhere))

    assert "award" in answer.context["form"].errors
    assert not ApiToken.objects.exists()


def test_someone_without_any_role_is_told_how_to_get_one(client):
    client.force_login(UserFactory(preferred_language="en"))

    page = client.get(LIST).content.decode()

    assert 'data-testid="token-no-award"' in page
    assert 'data-testid="token-new"' not in page


def test_revoking_asks_first_then_refuses_the_token(
    client, api_client, award, organiser, token_for
):
    plain = token_for(organiser, award)
    token = ApiToken.objects.get()
    url = reverse("api_tokens:revoke", kwargs={"pk": token.pk})
    client.force_login(organiser)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Every program that uses this token is refused" in confirm.content.decode()
    client.post(url)  # without the confirmation: nothing happens
    assert ApiToken.objects.get().revoked_at is None

    answer = client.post(url, {"confirm": "on"})

    assert answer.status_code == 302 and answer["Location"] == LIST
    assert ApiToken.objects.get().revoked_at is not None
    assert "Revoked on" in client.get(LIST).content.decode()
    assert bearer(api_client, plain).get(f"/api/v1/awards/{award.slug}/").status_code == 401


def test_another_persons_token_cannot_be_revoked(client, award, organiser, token_for):
    token_for(organiser, award)
    token = ApiToken.objects.get()
    colleague = AwardRoleFactory(award=award).user
    client.force_login(colleague)
    url = reverse("api_tokens:revoke", kwargs={"pk": token.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert token.prefix not in client.get(LIST).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(
    client, award, organiser, token_for, django_assert_num_queries
):
    client.force_login(organiser)
    token_for(organiser, award)
    client.get(LIST)  # the session's first page, the navigation's cache
    with django_assert_num_queries(3):  # the user, the tokens, the awards
        client.get(LIST)
    for _ in range(5):
        token_for(organiser, AwardRoleFactory(user=organiser).award)
    client.get(LIST)  # the navigation's cache again (new roles renew it)
    with django_assert_num_queries(3):
        page = client.get(LIST)
    assert page.content.decode().count("data-token=") == 6


def test_the_profile_links_the_token_page(client, organiser):
    client.force_login(organiser)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert f'href="{LIST}"' in page


def test_the_change_log_names_the_token_events(client, award, organiser):
    token, _plain = api_token_create(
        user=organiser, award=award, name="CRM", scope="read", expires_in_days=10
    )
    api_token_revoke(token=token, actor=organiser)
    client.force_login(organiser)

    page = client.get(reverse("awards:audit", kwargs={"slug": award.slug}))

    assert page.status_code == 200
    html = page.content.decode()
    assert "API token created" in html and "API token revoked" in html

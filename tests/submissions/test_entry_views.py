"""An applicant's entry pages: start, overview, edit with autosave and conflicts, submit,
withdraw, reopen, the printable summary and its PDF — for every kind of visitor."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from PIL import Image

from awards.models import AuditEntry
from notifications.models import Message
from submissions import services
from submissions.models import Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    complete_entry_fields,
)

pytestmark = pytest.mark.django_db

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


def png_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2040,
        slug="lia-2040",
        status="open",
        timezone="Europe/Berlin",
        submissions_open_at=timezone.now() - dt.timedelta(days=10),
        submissions_close_at=CLOSE,
        jury_deadline_at=CLOSE + dt.timedelta(days=30),
        announcement_at=CLOSE + dt.timedelta(days=60),
    )


@pytest.fixture
def category(award):
    return CategoryFactory(
        award=award,
        code="MOB",
        name_en="Mobility",
        name_de="Mobilität",
        prize_amount=10000,
        position=1,
    )


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Red Arrow Composites")


@pytest.fixture
def people(award, organisation):
    def en(**kwargs):
        return UserFactory(preferred_language="en", **kwargs)

    member = en(full_name="Rita Roth")
    colleague = en(full_name="Max Mayer")
    MembershipFactory(organisation=organisation, user=member, role="owner")
    MembershipFactory(organisation=organisation, user=colleague, role="member")
    other_member = en()
    MembershipFactory(organisation=OrganisationFactory(name="Blue Fibre"), user=other_member)
    organiser = en()
    AwardRoleFactory(award=award, user=organiser, role="organiser")
    other_organiser = en()
    AwardRoleFactory(award=AwardFactory(status="open"), user=other_organiser, role="organiser")
    juror = en()
    JurorFactory(award=award, user=juror)
    return {
        "anonymous": None,
        "stranger": en(),
        "member": member,
        "colleague": colleague,
        "other_member": other_member,
        "organiser": organiser,
        "other_organiser": other_organiser,
        "juror": juror,
    }


@pytest.fixture
def entry(award, category, organisation, people):
    return SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=people["member"],
        title="Flax bicycle frame",
    )


def login(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return people[role]


def login_url(url: str) -> str:
    return f"{reverse('accounts:login')}?next={url}"


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


# --- Starting an entry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("stranger", 200),
        ("member", 200),
        ("other_member", 200),
        ("organiser", 200),
        ("juror", 200),
    ],
)
def test_start_page_by_role(client, people, award, category, role, status):
    login(client, people, role)
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    response = client.get(url)

    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"] == login_url(url)


def test_start_page_asks_a_user_without_company_to_create_one_and_come_back(
    client, people, award, category
):
    login(client, people, "stranger")
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    html = client.get(url).content.decode()

    assert 'href="/organisations/new/?next=/awards/lia-2040/enter/"' in html
    assert 'data-testid="start-form"' not in html


def test_start_page_offers_the_users_companies_and_this_awards_categories_with_prize(
    client, people, award, category
):
    CategoryFactory(award=award, code="MAT", name_en="Materials", prize_amount=5000, position=2)
    CategoryFactory(award=AwardFactory(status="open"), name_en="Elsewhere")
    login(client, people, "member")

    html = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))
    html = html.content.decode()

    assert "Mobility – €10,000" in html
    assert "Materials – €5,000" in html
    assert "Elsewhere" not in html
    assert "Red Arrow Composites" in html
    assert "Blue Fibre" not in html
    assert html.count('<input type="radio" class="form-check-input"  name="category"') == 2


def test_an_unverified_user_may_not_start_an_entry(client, award, category):
    user = UserFactory(email_verified_at=None, preferred_language="en")
    client.force_login(user)

    response = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))

    assert response.status_code == 403


def test_a_draft_award_is_not_found(client, people, category):
    hidden = AwardFactory(status="draft", slug="hidden-award")
    login(client, people, "member")

    response = client.get(reverse("submissions:submission_create", kwargs={"slug": hidden.slug}))

    assert response.status_code == 404


def test_starting_an_entry_creates_a_draft_and_opens_the_edit_page(
    client, people, award, category, organisation
):
    login(client, people, "colleague")

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": organisation.pk, "category": category.pk, "title": "Carbon wheel"},
    )

    entry = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:edit", kwargs={"pk": entry.pk})
    assert (entry.title, entry.status, entry.organisation, entry.category, entry.created_by) == (
        "Carbon wheel",
        "draft",
        organisation,
        category,
        people["colleague"],
    )


def test_a_category_of_another_award_is_refused_by_the_form(
    client, people, award, category, organisation
):
    foreign = CategoryFactory(award=AwardFactory(status="open"))
    login(client, people, "member")

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": organisation.pk, "category": foreign.pk, "title": "Carbon wheel"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Submission.objects.count() == 0


def test_another_companys_id_is_refused_by_the_form(client, people, award, category):
    foreign = OrganisationFactory(name="Somebody Else")
    login(client, people, "member")

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": foreign.pk, "category": category.pk, "title": "Carbon wheel"},
    )

    assert response.context["form"].errors == {
        "organisation": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Submission.objects.count() == 0


def test_after_the_deadline_the_start_page_shows_the_deadline_and_no_form(
    client, people, award, category, organisation
):
    close_award(award)
    login(client, people, "member")
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    page = client.get(url).content.decode()
    posted = client.post(
        url, {"organisation": organisation.pk, "category": category.pk, "title": "Late"}
    )

    assert closed_text(award) in page
    assert 'data-testid="start-form"' not in page
    assert closed_text(award) in posted.content.decode()
    assert Submission.objects.count() == 0


def test_a_closed_award_shows_that_it_does_not_accept_entries(client, people, award, category):
    award.status = "closed"
    award.save()
    login(client, people, "member")

    html = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))

    assert "This award does not accept entries at the moment." in html.content.decode()


# --- The overview ---------------------------------------------------------------------------


def expected(role, allowed_status, url):
    return allowed_status if role in VIEWERS else (302 if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_overview_by_role(client, people, entry, role):
    login(client, people, role)
    url = reverse("submissions:detail", kwargs={"pk": entry.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in VIEWERS else 404)


def test_overview_shows_status_deadline_missing_items_and_actions(client, people, entry):
    login(client, people, "member")

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert '<span class="badge text-bg-secondary" data-status="draft">Draft</span>' in html
    assert f'<dd class="col-sm-8" data-testid="deadline">{CLOSE_TEXT}</dd>' in html
    missing = re.search(r'<ul data-testid="missing">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r">([^<>]+)</a></li>", missing) == [
        "Write the short summary.",
        "Describe the innovation.",
        "Explain what makes it lightweight.",
        "Describe the degree of innovation.",
        "Describe the future potential for people and the region.",
        "Choose the market readiness.",
        "Introduce the team.",
        "Accept the conditions of participation.",
        "Agree to the processing of your data.",
        "Add at least one image of the innovation.",
    ]
    assert f'href="/submissions/{entry.pk}/edit/#id_summary"' in html
    assert f'href="/submissions/{entry.pk}/edit/#attachments"' in html
    assert 'data-action="edit"' in html
    assert 'data-action="submit"' in html
    assert 'data-action="withdraw"' not in html


def test_the_organiser_sees_the_overview_without_actions_or_missing_items(client, people, entry):
    login(client, people, "organiser")

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert "Flax bicycle frame" in html
    assert 'data-testid="actions"' not in html
    assert 'data-testid="missing"' not in html


def test_after_the_deadline_the_overview_shows_it_and_offers_no_actions(
    client, people, entry, award
):
    close_award(award)
    login(client, people, "member")

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert closed_text(award) in html
    assert 'data-testid="actions"' not in html


def test_text_fields_are_shown_escaped_on_the_overview(client, people, entry):
    entry.summary = HOSTILE
    entry.video_url = "javascript:alert(3)"
    entry.title = '<img src=x onerror="alert(4)">'
    entry.save()
    login(client, people, "organiser")

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert HOSTILE_ESCAPED in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert 'hx-get="/x"' not in html
    assert "&lt;img src=x onerror=&quot;alert(4)&quot;&gt;" in html
    assert '<dd class="col-sm-8 text-break" data-field="video_url">javascript:alert(3)</dd>' in html


def test_a_web_video_link_is_a_link(client, people, entry):
    entry.video_url = "https://video.example/frame?a=1&b=2"
    entry.save()
    login(client, people, "member")

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert (
        '<a href="https://video.example/frame?a=1&amp;b=2" rel="noopener noreferrer nofollow" '
        'target="_blank">https://video.example/frame?a=1&amp;b=2</a>'
    ) in html


# --- Editing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_by_role(client, people, entry, role):
    login(client, people, role)
    url = reverse("submissions:edit", kwargs={"pk": entry.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in EDITORS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_explicit_save_by_role(client, people, entry, role):
    login(client, people, role)
    url = reverse("submissions:edit", kwargs={"pk": entry.pk})

    response = client.post(url, form_data(entry, summary="Changed"))

    entry.refresh_from_db()
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    elif role in EDITORS:
        assert (response.status_code, response["Location"]) == (302, url)
    else:
        assert response.status_code == 404
    assert entry.summary == ("Changed" if role in EDITORS else "")


def test_edit_page_has_the_fields_the_version_and_the_scripts(client, people, entry):
    login(client, people, "member")

    html = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk})).content.decode()

    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert f'data-autosave-url="/submissions/{entry.pk}/autosave/"' in html
    assert 'data-msg-saved="Saved at {time}"' in html
    assert 'role="status" aria-live="polite" data-testid="autosave-status"' in html
    assert '<script src="/static/js/autosave.js" defer></script>' in html
    assert '<script src="/static/js/upload.js" defer></script>' in html
    assert f'action="/submissions/{entry.pk}/attachments/"' in html
    assert 'name="files" id="id_files" class="form-control" multiple' in html
    for name in (
        "title",
        "summary",
        "description",
        "lightweight",
        "innovation",
        "future_potential",
        "market_readiness",
        "team",
        "video_url",
        "consent_terms",
        "consent_data",
        "consent_publication",
    ):
        assert f'id="id_{name}"' in html, name


def test_text_fields_are_shown_escaped_in_the_edit_form(client, people, entry):
    entry.summary = HOSTILE
    entry.save()
    login(client, people, "member")

    html = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk})).content.decode()

    assert HOSTILE_ESCAPED in html
    assert "<script>alert" not in html
    assert 'hx-get="/x"' not in html


def test_explicit_save_keeps_any_text_as_typed(client, people, entry):
    login(client, people, "member")

    client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, description=HOSTILE, market_readiness="7", consent_terms="on"),
    )

    entry.refresh_from_db()
    assert (entry.description, entry.market_readiness, entry.consent_terms, entry.version) == (
        HOSTILE,
        7,
        True,
        2,
    )


def test_a_refused_value_is_shown_at_its_field_and_the_text_stays(client, people, entry):
    login(client, people, "member")

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, summary="Kept text", video_url="javascript:alert(1)"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {"video_url": ["Enter a valid URL."]}
    assert "Kept text</textarea>" in html
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("", 1)


def test_a_video_link_without_scheme_becomes_https(client, people, entry):
    login(client, people, "member")

    client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, video_url="www.youtube.com/watch?v=abc"),
    )

    entry.refresh_from_db()
    assert entry.video_url == "https://www.youtube.com/watch?v=abc"


def test_save_and_go_to_the_overview(client, people, entry):
    login(client, people, "member")

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, team="Six people", then="overview"),
    )

    assert response["Location"] == reverse("submissions:detail", kwargs={"pk": entry.pk})


def test_a_stale_explicit_save_shows_both_texts_and_overwrites_nothing(client, people, entry):
    # The colleague loaded version 1 too, and saved first.
    services.submission_update(
        submission=entry,
        actor=people["colleague"],
        expected_version=1,
        summary="Max's summary",
        team="Max's team",
    )
    login(client, people, "member")

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, summary="Rita's summary", team="Max's team", description="Rita's text"),
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert (
        "Someone else saved this entry while you were editing it. Your text is still in the "
        "form; what they saved is shown beside each field that differs."
    ) in html
    assert "Last saved by Max Mayer." in html
    # Rita's text stays in the fields …
    assert "Rita&#x27;s summary</textarea>" in html
    assert "Rita&#x27;s text</textarea>" in html
    # … and Max's is beside the fields that differ, only those.
    conflicts = dict(
        re.findall(
            r'data-conflict-for="(\w+)">\s*<p[^>]*>[^<]*</p>\s*'
            r'<div class="pre-wrap text-break" data-slot="theirs">(.*?)</div>',
            html,
            re.S,
        )
    )
    assert conflicts == {"summary": "Max&#x27;s summary", "description": "(empty)"}
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    entry.refresh_from_db()
    assert (entry.summary, entry.description, entry.version) == ("Max's summary", "", 2)


def test_saving_again_after_reading_the_conflict_replaces_the_other_version(client, people, entry):
    services.submission_update(
        submission=entry, actor=people["colleague"], expected_version=1, summary="Max's"
    )
    login(client, people, "member")
    url = reverse("submissions:edit", kwargs={"pk": entry.pk})
    client.post(url, form_data(entry, summary="Rita's"))

    response = client.post(url, form_data(entry, summary="Rita's and Max's", version=2))

    entry.refresh_from_db()
    assert response.status_code == 302
    assert (entry.summary, entry.version) == ("Rita's and Max's", 3)


def test_after_the_deadline_an_explicit_save_keeps_the_text_and_shows_the_deadline(
    client, people, entry, award
):
    close_award(award)
    login(client, people, "member")

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, summary="Too late"),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert closed_text(award) in html
    assert "Too late</textarea>" in html
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("", 1)


def test_after_the_deadline_the_edit_page_sends_to_the_overview_with_the_deadline(
    client, people, entry, award
):
    close_award(award)
    login(client, people, "member")

    response = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}), follow=True)

    assert response.redirect_chain == [
        (reverse("submissions:detail", kwargs={"pk": entry.pk}), 302)
    ]
    assert closed_text(award) in response.content.decode()


def test_a_withdrawn_entry_cannot_be_edited(client, people, entry):
    entry.status = "withdrawn"
    entry.save()
    login(client, people, "member")

    response = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}), follow=True)

    assert "An entry that is “Withdrawn” cannot be changed." in response.content.decode()


def test_a_submitted_entry_may_not_lose_a_required_field(client, people, entry):
    entry = make_complete(entry)
    entry.status = "submitted"
    entry.save()
    login(client, people, "member")

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}), form_data(entry, team="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"team": ["Introduce the team."]}
    entry.refresh_from_db()
    assert entry.team == "Six engineers and designers from Berlin."


# --- Autosave -------------------------------------------------------------------------------


def saved_time(entry) -> str:
    """``saved_at`` of an autosave answer: the time in the award's zone, as English shows it."""
    with translation.override("en"):
        return formats.time_format(
            timezone.localtime(entry.updated_at, entry.award.tzinfo), "TIME_FORMAT"
        )


def autosave(client, entry, **overrides):
    return client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        form_data(entry, **overrides),
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize("role", ROLES)
def test_autosave_by_role(client, people, entry, role):
    login(client, people, role)

    response = autosave(client, entry, summary="Typed")

    entry.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 403
        assert response.json()["code"] == "session"
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
    assert entry.summary == ("Typed" if role in EDITORS else "")


def test_autosave_round_trip_increments_the_version(client, people, entry):
    login(client, people, "member")

    first = autosave(client, entry, summary="A")
    second = autosave(client, entry, summary="AB", version=first.json()["version"])

    entry.refresh_from_db()
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["version"], second.json()["version"]) == (2, 3)
    assert second.json() == {"ok": True, "version": 3, "saved_at": saved_time(entry)}
    assert (entry.summary, entry.version, entry.updated_by) == ("AB", 3, people["member"])


def test_a_stale_autosave_is_refused_with_the_current_values(client, people, entry):
    services.submission_update(
        submission=entry,
        actor=people["colleague"],
        expected_version=1,
        summary="Max's summary",
        market_readiness=4,
    )
    login(client, people, "member")

    response = autosave(client, entry, summary="Rita's summary")

    data = response.json()
    assert response.status_code == 409
    assert (data["ok"], data["code"], data["final"]) == (False, "conflict", True)
    assert data["errors"] == {}
    assert data["message"].startswith("Someone else saved this entry in the meantime")
    assert data["version"] == 2
    assert data["updated_by"] == "Max Mayer"
    assert data["current"] == {
        "title": "Flax bicycle frame",
        "summary": "Max's summary",
        "description": "",
        "lightweight": "",
        "innovation": "",
        "future_potential": "",
        "market_readiness": 4,
        "team": "",
        "video_url": "",
        "consent_terms": False,
        "consent_data": False,
        "consent_publication": False,
    }
    assert data["shown"] == {
        "summary": "Max's summary",
        "market_readiness": "TRL 4 – technology validated in the lab",
    }
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("Max's summary", 2)


def test_autosave_after_the_deadline_is_refused_with_the_deadline(client, people, entry, award):
    close_award(award)
    login(client, people, "member")

    response = autosave(client, entry, summary="Late")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "closed",
        "message": closed_text(award),
        "errors": {},
        "final": True,
    }
    entry.refresh_from_db()
    assert entry.summary == ""


def test_autosave_of_a_refused_value_names_the_field(client, people, entry):
    login(client, people, "member")

    response = autosave(client, entry, video_url="javascript:alert(1)", summary="x")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "invalid",
        "message": "Not saved: please correct the marked fields.",
        "errors": {"video_url": ["Enter a valid URL."]},
        "final": False,
    }


def test_autosave_after_logout_answers_403_json_not_a_login_page(client, people, entry):
    login(client, people, "member")
    client.logout()
    client.cookies["laurel_language"] = "en"

    response = autosave(client, entry, summary="Typed while logged out")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "ok": False,
        "code": "session",
        "message": "You are no longer logged in, so nothing was saved. Log in again in another "
        "tab, then come back here: your text is still on this page.",
        "errors": {},
        "final": True,
    }


def test_autosave_with_an_outdated_csrf_token_answers_403_json(people, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}))

    response = client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        {**form_data(entry, summary="x"), "csrfmiddlewaretoken": "outdated" * 4},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "session"
    entry.refresh_from_db()
    assert entry.summary == ""


def test_autosave_with_the_current_csrf_token_saves(people, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        {**form_data(entry, summary="x"), "csrfmiddlewaretoken": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200


def test_autosave_answers_only_post(client, people, entry):
    login(client, people, "member")

    response = client.get(reverse("submissions:autosave", kwargs={"pk": entry.pk}))

    assert response.status_code == 405


# --- Submit, withdraw, reopen ---------------------------------------------------------------


def submit(client, entry, version=None):
    return client.post(
        reverse("submissions:submit", kwargs={"pk": entry.pk}),
        {"version": entry.version if version is None else version},
    )


@pytest.mark.parametrize("role", ROLES)
def test_submit_by_role(client, people, entry, role):
    entry = make_complete(entry)
    login(client, people, role)
    url = reverse("submissions:submit", kwargs={"pk": entry.pk})

    response = submit(client, entry)

    entry.refresh_from_db()
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    elif role in EDITORS:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    assert entry.status == ("submitted" if role in EDITORS else "draft")


def test_submitting_shows_the_reference_number_and_mails_the_members(client, people, entry):
    entry = make_complete(entry)
    login(client, people, "member")

    response = submit(client, entry)
    page = client.get(response["Location"]).content.decode()

    entry.refresh_from_db()
    assert entry.reference == "LIA-2040-MOB-0001"
    assert "Submitted. Your reference number is LIA-2040-MOB-0001." in page
    assert '<strong data-testid="reference">LIA-2040-MOB-0001</strong>' in page
    assert 'data-action="withdraw"' in page
    assert sorted(
        m.recipient_id for m in Message.objects.filter(template_key="submission.received")
    ) == (sorted([people["member"].pk, people["colleague"].pk]))


def test_submitting_an_incomplete_entry_lists_everything_missing_at_once(client, people, entry):
    entry.summary = "Only a summary"
    entry.save()
    login(client, people, "member")

    response = submit(client, entry)

    html = response.content.decode()
    assert response.status_code == 200
    box = re.search(r'data-testid="submit-errors">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", box) == [
        "Describe the innovation.",
        "Explain what makes it lightweight.",
        "Describe the degree of innovation.",
        "Describe the future potential for people and the region.",
        "Choose the market readiness.",
        "Introduce the team.",
        "Accept the conditions of participation.",
        "Agree to the processing of your data.",
        "Add at least one image of the innovation.",
    ]
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_submitting_after_the_deadline_shows_the_deadline(client, people, entry, award):
    entry = make_complete(entry)
    close_award(award)
    login(client, people, "member")

    response = submit(client, entry)

    page = client.get(response["Location"]).content.decode()
    assert closed_text(award) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_submitting_a_stale_version_asks_to_check_again(client, people, entry):
    entry = make_complete(entry)
    loaded = entry.version
    services.submission_update(
        submission=entry, actor=people["colleague"], expected_version=loaded, team="Seven"
    )
    login(client, people, "member")

    response = submit(client, entry, version=loaded)

    page = client.get(response["Location"]).content.decode()
    assert (
        "Someone else saved this entry in the meantime. Please check it below and submit again."
    ) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_the_entry_limit_is_explained(client, people, entry, award, category, organisation):
    make_complete(
        SubmissionFactory(
            award=award, category=category, organisation=organisation, created_by=people["member"]
        )
    )
    first = Submission.objects.exclude(pk=entry.pk).get()
    services.submission_submit(
        submission=first, actor=people["member"], expected_version=first.version
    )
    entry = make_complete(entry)
    login(client, people, "member")

    response = submit(client, entry)

    page = client.get(response["Location"]).content.decode()
    assert (
        "An organisation may submit at most 1 entry in “Mobility”, and yours already has."
    ) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_withdraw_and_reopen(client, people, entry):
    entry = make_complete(entry)
    entry = services.submission_submit(
        submission=entry, actor=people["member"], expected_version=entry.version
    )
    login(client, people, "colleague")

    withdrawn = client.post(reverse("submissions:withdraw", kwargs={"pk": entry.pk}), follow=True)
    entry.refresh_from_db()
    status_after_withdraw = entry.status
    reopened = client.post(reverse("submissions:reopen", kwargs={"pk": entry.pk}), follow=True)
    entry.refresh_from_db()

    assert status_after_withdraw == "withdrawn"
    assert "The entry has been withdrawn." in withdrawn.content.decode()
    assert 'data-action="reopen"' in withdrawn.content.decode()
    assert entry.status == "draft"
    assert "The entry is a draft again." in reopened.content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="submission.").values_list("action", flat=True)
    )[-2:] == ["submission.withdrawn", "submission.reopened"]


@pytest.mark.parametrize("action", ["withdraw", "reopen"])
@pytest.mark.parametrize("role", ROLES)
def test_withdraw_and_reopen_by_role(client, people, entry, role, action):
    entry.status = "submitted" if action == "withdraw" else "withdrawn"
    entry.save()
    login(client, people, role)
    url = reverse(f"submissions:{action}", kwargs={"pk": entry.pk})

    response = client.post(url)

    entry.refresh_from_db()
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (302 if role in EDITORS else 404)
    changed = {"withdraw": "withdrawn", "reopen": "draft"}[action]
    unchanged = {"withdraw": "submitted", "reopen": "withdrawn"}[action]
    assert entry.status == (changed if role in EDITORS else unchanged)


def test_withdrawing_a_draft_is_explained(client, people, entry):
    login(client, people, "member")

    response = client.post(reverse("submissions:withdraw", kwargs={"pk": entry.pk}), follow=True)

    assert "An entry cannot go from “Draft” to “Withdrawn”." in response.content.decode()


# --- Printable summary and PDF --------------------------------------------------------------


@pytest.mark.parametrize("name", ["print", "pdf"])
@pytest.mark.parametrize("role", ROLES)
def test_summary_by_role(client, people, entry, role, name):
    login(client, people, role)
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
    login(client, people, "member")

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
    login(client, people, "member")

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
    login(client, people, "member")

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


# --- Unused-ids and JSON helpers ------------------------------------------------------------


def test_unknown_entry_ids_are_not_found(client, people):
    login(client, people, "member")

    for name in ("detail", "edit", "print", "pdf"):
        assert client.get(reverse(f"submissions:{name}", kwargs={"pk": 999999})).status_code == 404
    for name in ("autosave", "submit", "withdraw", "reopen", "attachment_upload"):
        url = reverse(f"submissions:{name}", kwargs={"pk": 999999})
        assert client.post(url).status_code == 404, name


def test_json_answers_are_valid_json(client, people, entry):
    login(client, people, "member")

    response = autosave(client, entry, summary="ok")

    assert json.loads(response.content)["version"] == 2

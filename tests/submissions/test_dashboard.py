"""The applicant's dashboard (/me/): organisations, entries with status, deadline and what is
still missing, and the awards open for entries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from submissions.models import Attachment, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    complete_entry_fields,
    standard_answers,
)
from tests.helpers import en_user

pytestmark = pytest.mark.django_db

URL = "/me/"
UTC = dt.UTC
# 16:00 UTC is noon in New York (EDT, UTC-4) on 31 March 2040.
CLOSE = dt.datetime(2040, 3, 31, 16, 0, tzinfo=UTC)


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2040,
        slug="lia-2040",
        status="open",
        timezone="America/New_York",
        submissions_close_at=CLOSE,
        jury_deadline_at=CLOSE + dt.timedelta(days=30),
        announcement_at=CLOSE + dt.timedelta(days=60),
    )


@pytest.fixture
def category(award):
    return CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität")


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Red Arrow Composites")


@pytest.fixture
def other_organisation():
    return OrganisationFactory(name="Blue Fibre AG")


@pytest.fixture
def owner(organisation):
    user = en_user(full_name="Olivia Owner")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    return user


@pytest.fixture
def member(organisation):
    user = en_user(full_name="Max Member")
    MembershipFactory(organisation=organisation, user=user, role="member")
    return user


@pytest.fixture
def other_member(other_organisation):
    user = en_user(full_name="Bea Blau")
    MembershipFactory(organisation=other_organisation, user=user, role="owner")
    return user


@pytest.fixture
def entries(award, category, organisation, other_organisation, owner, other_member):
    """One draft of each organisation."""
    return {
        "ours": SubmissionFactory(
            award=award,
            category=category,
            organisation=organisation,
            created_by=owner,
            title="Flax bicycle frame",
        ),
        "theirs": SubmissionFactory(
            award=award,
            category=category,
            organisation=other_organisation,
            created_by=other_member,
            title="Secret carbon wing",
        ),
    }


def add_image(submission: Submission) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        question=submission.award.questions.get(key="images"),
        kind="image",
        file=f"submissions/{submission.award_id}/photo.png",
        original_name="photo.png",
        content_type="image/png",
        size=100,
        sha256="0" * 64,
    )


def entry_titles(response) -> list[str]:
    return [
        row["submission"].title
        for item in response.context["organisations"]
        for row in item["entries"]
    ]


# --- who sees what ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert (response.status_code, response.url) == (302, f"{reverse('accounts:login')}?next=/me/")


def test_dashboard_has_its_name():
    assert reverse("submissions:dashboard") == URL


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("stranger", []),
        ("member", ["Flax bicycle frame"]),
        ("owner", ["Flax bicycle frame"]),
        ("other_member", ["Secret carbon wing"]),
        ("organiser", []),
        ("juror", []),
    ],
)
def test_each_user_sees_only_the_entries_of_their_organisations(
    client, award, entries, owner, member, other_member, role, titles
):
    user = {
        "stranger": en_user(),
        "member": member,
        "owner": owner,
        "other_member": other_member,
        "organiser": AwardRoleFactory(award=award, user=en_user(), role="organiser").user,
        "juror": JurorFactory(award=award, user=en_user()).user,
    }[role]
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert entry_titles(response) == titles
    html = response.content.decode()
    for title in {"Flax bicycle frame", "Secret carbon wing"} - set(titles):
        assert title not in html


def test_user_in_two_organisations_sees_both_with_their_role(
    client, award, category, entries, owner, other_organisation
):
    MembershipFactory(organisation=other_organisation, user=owner, role="member")
    client.force_login(owner)

    response = client.get(URL)

    assert [
        (item["organisation"].name, item["role"], [r["submission"].title for r in item["entries"]])
        for item in response.context["organisations"]
    ] == [
        ("Blue Fibre AG", "Member", ["Secret carbon wing"]),
        ("Red Arrow Composites", "Owner", ["Flax bicycle frame"]),
    ]


def test_user_without_organisation_is_offered_to_create_one(client, award):
    client.force_login(en_user())

    response = client.get(URL)

    html = response.content.decode()
    assert response.context["organisations"] == []
    assert 'data-testid="create-organisation"' in html
    assert f'href="{reverse("submissions:organisation_create")}"' in html
    assert "To start an entry, create a company profile first." in html
    assert 'data-testid="start-entry"' not in html


# --- the entries --------------------------------------------------------------------------


def test_entry_row_links_to_the_entry_and_shows_award_category_status(client, entries, owner):
    client.force_login(owner)

    html = client.get(URL).content.decode()

    entry = entries["ours"]
    assert (
        f'<a href="{reverse("submissions:detail", args=[entry.pk])}">Flax bicycle frame</a>' in html
    )
    assert "Lightweight Innovation Award 2040" in html
    assert "Mobility" in html
    assert '<span class="badge text-bg-secondary" data-status="draft">Draft</span>' in html


def test_draft_lists_exactly_what_is_still_missing(client, award, category, organisation, owner):
    fields = complete_entry_fields()
    del fields["summary"]
    SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=owner,
        answers=standard_answers(award),
        **fields,
    )
    client.force_login(owner)

    response = client.get(URL)

    [row] = response.context["organisations"][0]["entries"]
    assert row["missing"] == [
        "Write the short summary.",
        "Add a file to “Images of the innovation”.",
    ]
    assert (
        '<ul class="small mb-0 ps-3" data-testid="missing">\n'
        "            <li>Write the short summary.</li>"
        "<li>Add a file to “Images of the innovation”.</li>\n"
    ) in response.content.decode()


def test_new_draft_lists_every_missing_item(client, entries, owner):
    client.force_login(owner)

    response = client.get(URL)

    [row] = response.context["organisations"][0]["entries"]
    assert row["missing"] == [
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


def test_draft_with_everything_says_it_is_ready(client, award, category, organisation, owner):
    entry = SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=owner,
        answers=standard_answers(award),
        **complete_entry_fields(),
    )
    add_image(entry)
    client.force_login(owner)

    response = client.get(URL)

    [row] = response.context["organisations"][0]["entries"]
    assert row["missing"] == []
    assert "Complete – ready to submit." in response.content.decode()


def test_submitted_entry_shows_reference_and_no_missing_list(
    client, award, category, organisation, owner
):
    SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=owner,
        status="submitted",
        reference="LIA-2040-MOB-0007",
    )
    client.force_login(owner)

    response = client.get(URL)

    html = response.content.decode()
    assert "LIA-2040-MOB-0007" in html
    assert '<span class="badge text-bg-primary" data-status="submitted">Submitted</span>' in html
    assert 'data-testid="missing"' not in html
    assert response.context["organisations"][0]["entries"][0]["missing"] == []


def test_deadline_is_shown_in_the_awards_time_zone(client, entries, owner):
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert (
        '<td class="text-nowrap" data-testid="deadline" data-label="Deadline">'
        "31 March 2040, 12:00 p.m.<br>"
        '<span class="small text-body-secondary">America/New_York</span><br>'
        '<span class="small text-body-secondary" data-testid="countdown" data-state="open">'
        "closes in "
    ) in html


def test_individual_extension_is_the_deadline_shown(client, entries, owner):
    entry = entries["ours"]
    entry.deadline_extended_until = dt.datetime(2040, 4, 2, 10, 0, tzinfo=UTC)
    entry.save()
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert "2 April 2040, 6:00 a.m." in html
    assert "31 March 2040" not in html.split('data-testid="entries"')[1]


def test_html_in_names_and_titles_is_escaped(client, award, category, organisation, owner):
    organisation.name = "<script>alert(1)</script>"
    organisation.save()
    SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=owner,
        title='<img src=x onerror="alert(2)">',
    )
    client.force_login(owner)

    html = client.get(URL).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html


# --- awards open for entries --------------------------------------------------------------


def test_open_awards_offer_to_start_an_entry(client, award, owner):
    AwardFactory(name="Draft Award", slug="draft-award", status="draft")
    AwardFactory(
        name="Past Award",
        slug="past-award",
        status="open",
        submissions_open_at=dt.datetime(2020, 1, 1, tzinfo=UTC),
        submissions_close_at=dt.datetime(2020, 2, 1, tzinfo=UTC),
        jury_deadline_at=dt.datetime(2020, 3, 1, tzinfo=UTC),
        announcement_at=dt.datetime(2020, 4, 1, tzinfo=UTC),
    )
    client.force_login(owner)

    response = client.get(URL)

    assert [a.slug for a in response.context["open_awards"]] == ["lia-2040"]
    html = response.content.decode()
    try:
        start_url = reverse("submissions:submission_create", kwargs={"slug": award.slug})
    except NoReverseMatch:
        pytest.fail("the entries pages do not define submissions:submission_create yet")
    assert f'href="{start_url}" data-testid="start-entry"' in html
    assert "Deadline: 31 March 2040, 12:00 p.m. (America/New_York)" in html


# --- a fixed number of queries ------------------------------------------------------------


def add_entries(n: int, *, start: int, awards, organisation, owner) -> None:
    """``n`` entries spread over two awards, their categories and all statuses; every third
    has an image."""
    categories = [c for award in awards for c in award.categories.all()]
    statuses = ["draft", "draft", "submitted", "withdrawn", "eligible", "ineligible"]
    submissions = []
    for i in range(start, start + n):
        status = statuses[i % len(statuses)]
        category = categories[i % len(categories)]
        submissions.append(
            Submission(
                award_id=category.award_id,
                category=category,
                organisation=organisation,
                created_by=owner,
                title=f"Entry {i}",
                summary="Short." if i % 2 else "",
                status=status,
                reference=None if status in ("draft", "withdrawn") else f"LIA-2040-X-{i:05d}",
            )
        )
    created = Submission.objects.bulk_create(submissions)
    Attachment.objects.bulk_create(
        Attachment(
            submission=s,
            kind="image",
            file=f"submissions/{s.award_id}/{s.pk}.png",
            original_name="photo.png",
            content_type="image/png",
            size=100,
            sha256="0" * 64,
        )
        for s in created[::3]
    )


def count_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    rows = sum(len(item["entries"]) for item in response.context["organisations"])
    return len(queries), rows


def test_dashboard_runs_the_same_queries_for_10_and_1000_entries(
    client, award, category, organisation, other_organisation, owner, other_member
):
    second = AwardFactory(name="Design Award", slug="design-2041", status="open")
    CategoryFactory(award=award, code="BLD")
    CategoryFactory(award=second, code="DES")
    awards = [award, second]
    MembershipFactory(organisation=other_organisation, user=owner, role="member")
    add_entries(5, start=0, awards=awards, organisation=organisation, owner=owner)
    add_entries(5, start=5, awards=awards, organisation=other_organisation, owner=other_member)
    # Someone else's entries must not count, however many there are.
    add_entries(50, start=10, awards=awards, organisation=OrganisationFactory(), owner=owner)
    client.force_login(owner)
    client.get(URL)  # the session and caches settle on the first request

    small, small_rows = count_queries(client)
    add_entries(495, start=100, awards=awards, organisation=organisation, owner=owner)
    add_entries(495, start=600, awards=awards, organisation=other_organisation, owner=owner)
    count_queries(client)  # what the new entries' awards changed is read again, once
    large, large_rows = count_queries(client)

    assert (small_rows, large_rows) == (10, 1000)
    assert small == large
    # user, memberships, entries and their files' slots, the forms of the awards with
    # drafts (questions, their categories), open awards; the session and the navigation's
    # two lists come from the cache; what the results and certificates apps add to the rows
    # (submissions.outcome_parts): one query each
    assert large == 9

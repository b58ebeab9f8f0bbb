"""The organisers' entry pages (/manage/<slug>/submissions/…): who may see them, the list with
counts, filters and search, one entry with the eligibility check and the individual deadline.
Exports and the ZIP are in test_exports.py."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import AuditEntry
from notifications.models import Message
from submissions.models import Attachment, Organisation, Submission
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

BERLIN_CLOSE = dt.datetime(2040, 3, 31, 16, 0, tzinfo=dt.UTC)  # 18:00 in Berlin (CEST)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def en_user(**kwargs):
    return UserFactory(preferred_language="en", **kwargs)


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2040,
        slug="lia-2040",
        status="open",
        timezone="Europe/Berlin",
        submissions_close_at=BERLIN_CLOSE,
        jury_deadline_at=BERLIN_CLOSE + dt.timedelta(days=30),
        announcement_at=BERLIN_CLOSE + dt.timedelta(days=60),
    )


@pytest.fixture
def mobility(award):
    return CategoryFactory(
        award=award, code="MOB", name_en="Mobility", name_de="Mobilität", position=1
    )


@pytest.fixture
def construction(award):
    return CategoryFactory(
        award=award, code="CON", name_en="Construction", name_de="Bauen", position=0
    )


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Red Arrow Composites", size_class="startup")


@pytest.fixture
def applicant(organisation):
    user = en_user(full_name="Olivia Owner")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    return user


@pytest.fixture
def colleague(organisation):
    user = UserFactory(full_name="Max Mitglied", preferred_language="de")
    MembershipFactory(organisation=organisation, user=user, role="member")
    return user


@pytest.fixture
def organiser(award):
    return AwardRoleFactory(award=award, user=en_user(full_name="Oda Organiser")).user


@pytest.fixture
def entry(award, mobility, organisation, applicant):
    """A submitted entry (status and reference set as submit would)."""
    return SubmissionFactory(
        award=award,
        category=mobility,
        organisation=organisation,
        created_by=applicant,
        title="Flax bicycle frame",
        status="submitted",
        reference="LIA-2040-MOB-0007",
        submitted_at=dt.datetime(2040, 3, 30, 10, 15, tzinfo=dt.UTC),
        **complete_entry_fields(),
    )


@pytest.fixture
def other_award():
    return AwardFactory(name="Design Award", edition=2041, slug="design-2041", status="open")


@pytest.fixture
def other_entry(other_award):
    category = CategoryFactory(award=other_award, code="DES")
    return SubmissionFactory(
        award=other_award,
        category=category,
        title="Secret chair",
        status="submitted",
        reference="LIA-2041-DES-0001",
    )


def user_for(role: str, *, award, other_award, applicant):
    return {
        "stranger": lambda: en_user(),
        "applicant": lambda: applicant,
        "juror": lambda: JurorFactory(award=award, user=en_user()).user,
        "other_organiser": lambda: AwardRoleFactory(award=other_award, user=en_user()).user,
        "organiser": lambda: AwardRoleFactory(award=award, user=en_user()).user,
        "superuser": lambda: en_user(is_superuser=True),
    }[role]()


def add_attachment(submission, name="report.pdf", data=PDF, kind="document", **extra):
    attachment = Attachment(
        submission=submission,
        kind=kind,
        original_name=name,
        content_type="application/pdf" if kind == "document" else "image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **extra,
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment


# --- Who may see what ---------------------------------------------------------------------

# (url name, method, kwargs needing the entry, POST data)
VIEWS = [
    ("list", "get", False, None),
    ("detail", "get", True, None),
    ("eligibility", "post", True, {"decision": "eligible"}),
    ("extension", "post", True, {"until": "2040-04-07T18:00"}),
    ("export_csv", "get", False, None),
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


# --- The list -----------------------------------------------------------------------------


@pytest.fixture
def many(award, mobility, construction, organisation, applicant):
    """Entries in both categories, in every status, from three organisations."""
    big = OrganisationFactory(name="Blue Fibre AG", size_class="large")
    lab = OrganisationFactory(name="Fraunhofer Leichtbau", size_class="research")
    rows = [
        (mobility, organisation, "submitted", "LIA-2040-MOB-0001", "Flax bicycle frame"),
        (mobility, big, "eligible", "LIA-2040-MOB-0002", "Carbon rail door"),
        (mobility, lab, "ineligible", "LIA-2040-MOB-0003", "Titanium drone arm"),
        (mobility, big, "draft", None, "Foam seat"),
        (construction, lab, "submitted", "LIA-2040-CON-0001", "Basalt bridge deck"),
        (construction, organisation, "withdrawn", "LIA-2040-CON-0002", "Honeycomb facade"),
    ]
    entries = {}
    for category, org, status, reference, title in rows:
        entries[title] = SubmissionFactory(
            award=award,
            category=category,
            organisation=org,
            created_by=applicant,
            status=status,
            reference=reference,
            title=title,
            eligibility_reason="Outside Berlin-Brandenburg." if status == "ineligible" else "",
            submitted_at=None
            if status == "draft"
            else dt.datetime(2040, 3, 30, 22, 30, tzinfo=dt.UTC),
        )
    return entries


def titles(response) -> list[str]:
    return [row["submission"].title for row in response.context["rows"]]


def test_list_shows_counts_per_category_and_status(client, award, organiser, many, other_entry):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts.total == 6
    assert counts.by_status == {
        "draft": 1,
        "submitted": 2,
        "withdrawn": 1,
        "eligible": 1,
        "ineligible": 1,
    }
    assert [
        (item["category"].code, item["total"], item["applied"])
        for item in response.context["category_counts"]
    ] == [("CON", 2, 1), ("MOB", 4, 3)]
    html = response.content.decode()
    assert '<strong data-count="all">6</strong>' in html
    assert '<strong data-count="submitted">2</strong>' in html


def test_list_is_ordered_by_category_then_reference_with_drafts_last(
    client, award, organiser, many
):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    assert titles(response) == [
        "Basalt bridge deck",
        "Honeycomb facade",
        "Flax bicycle frame",
        "Carbon rail door",
        "Titanium drone arm",
        "Foam seat",
    ]


def test_list_row_shows_reference_organisation_status_time_and_eligibility(
    client, award, organiser, many
):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]), {"q": "drone"})

    html = response.content.decode()
    entry = many["Titanium drone arm"]
    assert f'<tr data-entry="{entry.pk}">' in html
    assert "LIA-2040-MOB-0003" in html
    assert "Fraunhofer Leichtbau" in html
    assert '<span class="badge text-bg-danger" data-status="ineligible">Not eligible</span>' in html
    # 22:30 UTC on 30 March 2040 is 00:30 on 31 March in Berlin (CEST, UTC+2).
    assert "31/03/2040 00:30" in html
    assert "Outside Berlin-Brandenburg." in html
    assert f'href="/manage/{award.slug}/submissions/{entry.pk}/"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "submitted"}, ["Basalt bridge deck", "Flax bicycle frame"]),
        ({"size": "large"}, ["Carbon rail door", "Foam seat"]),
        ({"q": "lia-2040-con"}, ["Basalt bridge deck", "Honeycomb facade"]),
        ({"q": "FRAUNHOFER"}, ["Basalt bridge deck", "Titanium drone arm"]),
        ({"q": "rail"}, ["Carbon rail door"]),
        ({"status": "draft", "size": "large", "q": "seat"}, ["Foam seat"]),
        # Unknown values are ignored rather than refused.
        ({"status": "bogus", "size": "tiny", "category": "x"}, None),
    ],
)
def test_list_filters_and_search(client, award, organiser, many, params, expected):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]), params)

    assert response.status_code == 200
    assert titles(response) == (expected if expected is not None else titles_all(many))


def titles_all(many):
    return [
        "Basalt bridge deck",
        "Honeycomb facade",
        "Flax bicycle frame",
        "Carbon rail door",
        "Titanium drone arm",
        "Foam seat",
    ]


def test_list_filters_by_category(client, award, organiser, many, construction):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:list", args=[award.slug]), {"category": construction.pk}
    )

    assert titles(response) == ["Basalt bridge deck", "Honeycomb facade"]
    # The counts stay those of the whole award.
    assert response.context["counts"].total == 6


def test_list_ignores_a_category_of_another_award(client, award, organiser, many, other_entry):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:list", args=[award.slug]),
        {"category": other_entry.category_id},
    )

    assert "Secret chair" not in response.content.decode()
    assert len(titles(response)) == 6


def test_search_without_match_says_so(client, award, organiser, many):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]), {"q": "zeppelin"})

    assert titles(response) == []
    assert "No entries match the filter." in response.content.decode()


def test_list_of_an_award_without_entries(client, award, organiser, mobility):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    html = response.content.decode()
    assert 'data-testid="no-entries">No entries yet.' in html
    assert 'data-testid="documents-zip"' not in html


def test_list_has_50_entries_per_page(client, award, organiser, mobility, organisation, applicant):
    Submission.objects.bulk_create(
        Submission(
            award=award,
            category=mobility,
            organisation=organisation,
            created_by=applicant,
            title=f"Entry {n:03d}",
            reference=f"LIA-2040-MOB-{n:04d}",
            status="submitted",
        )
        for n in range(1, 121)
    )
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])

    first = client.get(url)
    last = client.get(url, {"page": 3, "status": "submitted"})

    assert len(first.context["rows"]) == 50
    assert titles(first)[0] == "Entry 001"
    assert titles(last) == [f"Entry {n:03d}" for n in range(101, 121)]
    html = last.content.decode()
    assert "Entries 101–120 of 120" in html
    assert 'href="?page=2&amp;status=submitted"' in html


def test_export_links_carry_the_filter_but_not_the_page(client, award, organiser, many):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:list", args=[award.slug]), {"status": "draft", "page": "1"}
    )

    html = response.content.decode()
    assert f'href="/manage/{award.slug}/submissions/export.csv?status=draft"' in html
    assert f'href="/manage/{award.slug}/submissions/export.xlsx?status=draft"' in html


def test_zip_links_only_for_categories_with_applications(
    client, award, organiser, mobility, construction, entry
):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    html = response.content.decode()
    assert f"/manage/{award.slug}/submissions/category/{mobility.pk}/documents.zip" in html
    assert f"category/{construction.pk}/documents.zip" not in html


XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_ORGANISATION = '<a hx-get="/x">Evil</a>'
# An htmx attribute inside a real tag (escaped text such as "&lt;a hx-get" is inert).
ACTIVE_HX = re.compile(r"<[^>]*\s(data-)?hx-")


def test_list_escapes_entry_values_and_the_search(client, award, organiser, mobility, applicant):
    evil = OrganisationFactory(name=XSS_ORGANISATION)
    SubmissionFactory(
        award=award,
        category=mobility,
        organisation=evil,
        created_by=applicant,
        title=XSS_TITLE,
        reference="LIA-2040-MOB-0001",
        status="submitted",
    )
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])

    listed = client.get(url).content.decode()
    searched = client.get(url, {"q": "<script>alert(1)</script>"}).content.decode()
    found = client.get(url, {"q": "<img"}).content.decode()

    assert XSS_TITLE not in listed
    assert "&lt;img src=x onerror=alert(1)&gt;" in listed
    assert '<a hx-get="/x">' not in listed
    assert not ACTIVE_HX.search(listed)
    assert "&lt;a hx-get=&quot;/x&quot;&gt;Evil&lt;/a&gt;" in listed
    assert "<script>alert(1)</script>" not in searched
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in searched
    assert "No entries match the filter." in searched
    assert "&lt;img src=x onerror=alert(1)&gt;" in found
    assert "<img src=x" not in found


def add_bulk(count, *, award, categories, applicant, start=0):
    """``count`` entries, each of its own organisation, spread over the categories."""
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bulk GmbH {start + n}", size_class=("sme", "large")[n % 2])
        for n in range(count)
    )
    statuses = ["draft", "submitted", "eligible", "ineligible", "withdrawn"]
    Submission.objects.bulk_create(
        Submission(
            award=award,
            category=categories[n % len(categories)],
            organisation=organisations[n],
            created_by=applicant,
            title=f"Bulk entry {start + n}",
            status=statuses[n % len(statuses)],
            reference=None if n % 5 == 0 else f"LIA-2040-X-{start + n:05d}",
        )
        for n in range(count)
    )


def count_queries(client, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["rows"])


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "submitted", "size": "sme", "q": "bulk"}, {"q": "entry", "page": "2"}],
    ids=["plain", "filtered", "search-page-2"],
)
def test_list_runs_the_same_queries_for_10_and_1000_entries(
    client, award, mobility, construction, organiser, applicant, params
):
    categories = [mobility, construction]
    add_bulk(10, award=award, categories=categories, applicant=applicant)
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])
    client.get(url)  # the session settles on the first request

    small, _small_rows = count_queries(client, url, params)
    add_bulk(990, award=award, categories=categories, applicant=applicant, start=10)
    large, large_rows = count_queries(client, url, params)

    assert Submission.objects.filter(award=award).count() == 1000
    assert large_rows > 0
    assert small == large
    # session, user, award, organiser's roles, categories, count for the pages, the page of
    # entries, the counts per category and status, and the navigation's two lists
    assert large == 10


# --- One entry ----------------------------------------------------------------------------


def detail_url(award, entry, suffix=""):
    return reverse(f"submissions_manage:{suffix or 'detail'}", args=[award.slug, entry.pk])


def test_detail_shows_every_field_of_the_entry_and_organisation(
    client, award, organiser, entry, organisation
):
    Organisation.objects.filter(pk=organisation.pk).update(
        legal_form="GmbH",
        street="Am Flugplatz 3",
        postal_code="12487",
        city="Berlin",
        website="https://red-arrow.example",
        founded_year=2019,
        contact_name="Olivia Owner",
        contact_email="olivia@red-arrow.example",
        contact_phone="+49 30 1234567",
    )
    Submission.objects.filter(pk=entry.pk).update(video_url="https://video.example/frame")
    client.force_login(organiser)

    response = client.get(detail_url(award, entry))

    html = response.content.decode()
    assert response.status_code == 200
    fields = complete_entry_fields()
    for name in ("summary", "description", "lightweight", "innovation", "future_potential"):
        assert fields[name] in html
    assert "TRL 7 – prototype demonstrated in an operational environment" in html
    assert "Six engineers and designers from Berlin." in html
    assert (
        '<li data-consent="consent_publication"><span aria-hidden="true">✔</span>'
        '<span class="visually-hidden">Given:</span> Publication if the entry wins</li>'
    ) in html
    assert '<strong data-testid="reference">LIA-2040-MOB-0007</strong>' in html
    # 10:15 UTC is 12:15 in Berlin; the deadline 16:00 UTC is 18:00.
    assert '<dd class="col-sm-8" data-testid="submitted-at">30 March 2040, 12:15 p.m.</dd>' in html
    assert "31 March 2040, 6:00 p.m." in html
    for text in ("GmbH", "Am Flugplatz 3", "12487 Berlin", "Start-up", "2019", "+49 30 1234567"):
        assert text in html
    # The website is text, not a link; the video link is a link.
    assert "https://red-arrow.example" in html
    assert 'href="https://red-arrow.example"' not in html
    assert (
        '<a href="https://video.example/frame" rel="noopener noreferrer nofollow" '
        'target="_blank">https://video.example/frame</a>'
    ) in html


def test_detail_escapes_text_and_never_links_a_javascript_address(
    client, award, organiser, entry, organisation
):
    Submission.objects.filter(pk=entry.pk).update(
        title=XSS_TITLE,
        description='<script>alert(1)</script>\n<div data-hx-post="/x">',
        video_url="javascript:alert(1)",
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        name=XSS_ORGANISATION, website="javascript:alert(2)"
    )
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert XSS_TITLE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;div data-hx-post=&quot;/x&quot;&gt;" in html
    )
    assert '<a hx-get="/x">' not in html
    assert not ACTIVE_HX.search(html)
    assert 'href="javascript:' not in html
    assert '<span class="text-break">javascript:alert(1)</span>' in html


def test_detail_lists_files_with_links_and_thumbnails(client, award, organiser, entry):
    document = add_attachment(entry, name="Datenblatt <v2>.pdf")
    image = add_attachment(entry, name="frame.png", kind="image")
    image.thumbnail.save("thumb", ContentFile(b"jpeg"), save=True)
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert f'href="{reverse("submissions:attachment", args=[document.pk])}"' in html
    assert "Datenblatt &lt;v2&gt;.pdf" in html
    assert f'src="{reverse("submissions:thumbnail", args=[image.pk])}"' in html
    assert f'src="{reverse("submissions:thumbnail", args=[document.pk])}"' not in html


def test_detail_of_a_draft_offers_no_eligibility_decision(
    client, award, organiser, mobility, organisation, applicant
):
    draft = SubmissionFactory(
        award=award, category=mobility, organisation=organisation, created_by=applicant
    )
    client.force_login(organiser)

    response = client.get(detail_url(award, draft))

    html = response.content.decode()
    assert response.context["eligibility_form"] is None
    assert "Only submitted entries can be checked." in html
    assert 'data-testid="extension-form"' in html


# --- Eligibility --------------------------------------------------------------------------


def test_organiser_declares_an_entry_eligible_and_the_members_are_told(
    client, award, organiser, entry, applicant, colleague
):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "eligibility"), {"decision": "eligible"})

    assert response.status_code == 302
    assert response.url == detail_url(award, entry)
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == ("eligible", "")
    messages = Message.objects.filter(template_key="submission.eligibility").order_by(
        "recipient_email"
    )
    assert sorted(m.recipient_id for m in messages) == sorted([applicant.pk, colleague.pk])
    assert {m.award_id for m in messages} == {award.pk}
    page = client.get(response.url).content.decode()
    assert "The entry is now “Eligible”. The applicant has been informed by mail." in page
    assert AuditEntry.objects.filter(action="submission.eligibility", actor=organiser).count() == 1


def test_not_eligible_needs_a_reason(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(
        detail_url(award, entry, "eligibility"), {"decision": "ineligible", "reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["eligibility_form"].errors == {
        "reason": ["Say why the entry is not eligible."]
    }
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert not Message.objects.exists()


def test_not_eligible_with_reason_is_saved_and_sent(
    client, award, organiser, entry, applicant, colleague
):
    client.force_login(organiser)

    response = client.post(
        detail_url(award, entry, "eligibility"),
        {"decision": "ineligible", "reason": "The company is based in Munich."},
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == (
        "ineligible",
        "The company is based in Munich.",
    )
    messages = Message.objects.filter(template_key="submission.eligibility")
    assert messages.count() == 2
    english = messages.get(recipient=applicant)
    assert "The company is based in Munich." in english.body_text
    page = client.get(detail_url(award, entry)).content.decode()
    assert "Reason given: The company is based in Munich." in page


def test_a_decision_can_be_changed(client, award, organiser, entry):
    client.force_login(organiser)
    url = detail_url(award, entry, "eligibility")
    client.post(url, {"decision": "ineligible", "reason": "Late documents."})

    response = client.post(url, {"decision": "eligible", "reason": "ignored"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == ("eligible", "")
    assert Message.objects.filter(template_key="submission.eligibility").count() == 2


def test_missing_decision_is_a_field_error(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "eligibility"), {"decision": "maybe"})

    assert response.status_code == 200
    assert list(response.context["eligibility_form"].errors) == ["decision"]
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_a_draft_cannot_be_declared_eligible(
    client, award, organiser, mobility, organisation, applicant
):
    draft = SubmissionFactory(
        award=award, category=mobility, organisation=organisation, created_by=applicant
    )
    client.force_login(organiser)

    response = client.post(detail_url(award, draft, "eligibility"), {"decision": "eligible"})

    assert response.status_code == 200
    assert response.context["eligibility_form"].non_field_errors() == [
        "An entry cannot go from “Draft” to “Eligible”."
    ]
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- Individual deadline ------------------------------------------------------------------


def test_extension_is_typed_in_the_awards_time_zone(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    assert response.status_code == 302
    entry.refresh_from_db()
    # 18:30 in Berlin in April (CEST, UTC+2) is 16:30 UTC.
    assert entry.deadline_extended_until == dt.datetime(2040, 4, 7, 16, 30, tzinfo=dt.UTC)
    page = client.get(response.url)
    html = page.content.decode()
    assert "This entry can now be changed until 7 April 2040, 6:30 p.m. (Europe/Berlin)." in html
    assert 'value="2040-04-07T18:30"' in html
    assert 'name="clear"' in html


def test_extension_in_another_zone_is_converted_from_that_zone(client, award, organiser, entry):
    award.timezone = "America/New_York"
    award.save()
    client.force_login(organiser)

    client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    entry.refresh_from_db()
    assert entry.deadline_extended_until == dt.datetime(2040, 4, 7, 22, 30, tzinfo=dt.UTC)


def test_extension_before_the_general_deadline_is_refused(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-03-31T17:00"})

    assert response.status_code == 200
    assert response.context["extension_form"].errors == {
        "until": ["An extension must end after the general deadline."]
    }
    assert 'value="2040-03-31T17:00"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None


def test_extension_at_a_time_that_does_not_exist_is_refused(client, award, organiser, entry):
    client.force_login(organiser)

    # On 25 March 2040 the clocks in Berlin go from 02:00 to 03:00.
    award.submissions_close_at = dt.datetime(2040, 3, 20, 12, 0, tzinfo=dt.UTC)
    award.save()
    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-03-25T02:30"})

    assert response.status_code == 200
    assert (
        response.context["extension_form"]
        .errors["until"][0]
        .startswith("25 March 2040, 2:30 a.m. does not exist in the time zone Europe/Berlin")
    )


@pytest.mark.parametrize("value", ["", "tomorrow", "2040-13-01T10:00"])
def test_extension_without_a_valid_time_is_refused(client, award, organiser, entry, value):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": value})

    assert response.status_code == 200
    assert list(response.context["extension_form"].errors) == ["until"]
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None


def test_extension_can_be_removed(client, award, organiser, entry):
    Submission.objects.filter(pk=entry.pk).update(
        deadline_extended_until=dt.datetime(2040, 4, 7, 16, 30, tzinfo=dt.UTC)
    )
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"clear": "1", "until": ""})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None
    html = client.get(response.url).content.decode()
    assert "The individual deadline has been removed." in html
    assert 'name="clear"' not in html
    assert AuditEntry.objects.filter(action="submission.deadline_extended").count() == 1


def test_history_lists_the_entrys_changes(client, award, organiser, entry):
    client.force_login(organiser)
    client.post(detail_url(award, entry, "eligibility"), {"decision": "eligible"})
    client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    response = client.get(detail_url(award, entry))

    assert [row["label"] for row in response.context["history"]] == [
        "Individual deadline changed",
        "Eligibility decided",
    ]
    assert "Oda Organiser" in response.content.decode()

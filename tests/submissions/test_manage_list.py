"""The organisers' list of entries (/manage/<slug>/submissions/): counts per category and
status, the order, the rows, filters and search, pages of 50, the export and ZIP links,
escaped values, and the same number of queries for 10 and 1,000 entries. Exports and the ZIP
themselves are in test_exports.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.models import Organisation, Question, Submission
from submissions.questions import answers_by_key, answers_index
from tests.factories import OrganisationFactory, SubmissionFactory
from tests.submissions.helpers import ACTIVE_HX, XSS_ORGANISATION, XSS_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(submitted_entry):
    """On the organisers' pages ``entry`` is the submitted one (conftest.py)."""
    return submitted_entry


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
    return [row["title"] for row in response.context["rows"]]


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


def test_the_range_counts_the_entries_the_filter_lets_through(client, award, organiser, many):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:list", args=[award.slug]), {"q": "fraunhofer"}
    )

    counts = response.context["counts"]
    assert (counts.total, counts.matching) == (6, 2)
    assert "Entries 1–2 of 2" in response.content.decode()


def test_a_long_reason_is_cut_in_the_list(client, award, organiser, many):
    entry = many["Titanium drone arm"]
    entry.eligibility_reason = "The lightweight part is made outside the region. " * 5
    entry.save()
    client.force_login(organiser)

    html = client.get(reverse("submissions_manage:list", args=[award.slug])).content.decode()

    cut = "The lightweight part is made outside the region. The lightweight part is made o…"
    assert f'<span class="small text-body-secondary">{cut}</span>' in html


def test_the_list_reads_no_long_text_of_an_entry(client, award, organiser, many):
    """The page's query selects the columns the rows show, never the answers, the search
    text or the summary (the search looks in ``answers_text`` without reading it)."""
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])

    for params in ({}, {"q": "flax"}):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        page_query = next(
            q["sql"]
            for q in captured.captured_queries
            if "LIMIT" in q["sql"] and "title" in q["sql"]
        )
        selected = page_query.split(" FROM ")[0]
        for column in ("answers", "answers_text", "choice_answers", "summary"):
            assert f'"submissions_submission"."{column}"' not in selected


def test_the_filters_keep_their_markup_label_value_and_errors(client, award, organiser, many):
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])

    chosen = client.get(url, {"status": "eligible", "q": "rail"}).content.decode()
    bogus = client.get(url, {"status": "bogus"}).content.decode()

    assert '<label for="id_status" class="form-label">Status</label>' in chosen
    assert '<select name="status" class="select form-select" id="id_status">' in chosen
    assert '<option value="eligible" selected>Eligible</option>' in chosen
    assert (
        '<option value="" selected>' not in chosen.split('name="status"')[1].split("</select>")[0]
    )
    assert (
        '<input type="search" name="q" value="rail" maxlength="200" class="textinput '
        'form-control" aria-describedby="id_q_helptext" id="id_q">'
    ) in chosen
    assert '<div id="id_q_helptext" class="form-text">' in chosen
    # An unknown value is ignored by the list and named at its field, as crispy-forms did.
    assert (
        '<select name="status" class="select form-select is-invalid" aria-invalid="true" '
        'aria-describedby="id_status_error" id="id_status">'
    ) in bogus
    assert (
        '<div id="id_status_error" class="invalid-feedback"><span id="error_1_id_status">' in bogus
    )


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
    questions = list(award.questions.all())
    funded = [q for q in questions if q.key == "funded"]

    def answered(n: int) -> dict:
        answers = answers_by_key(
            questions,
            {
                "market_readiness": str(n % 9 + 1),
                "description": f"A {('carbon', 'flax')[n % 2]} part",
                **({"funded": n % 3 == 0} if funded else {}),
            },
        )
        return {"answers": answers, **answers_index(questions, answers)}

    Submission.objects.bulk_create(
        Submission(
            award=award,
            category=categories[n % len(categories)],
            organisation=organisations[n],
            created_by=applicant,
            title=f"Bulk entry {start + n}",
            status=statuses[n % len(statuses)],
            reference=None if n % 5 == 0 else f"LIA-2040-X-{start + n:05d}",
            **answered(n),
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
    [
        {},
        {"status": "submitted", "size": "sme", "q": "bulk"},
        {"q": "entry", "page": "2"},
        {"market_readiness": "7", "funded": "yes", "q": "carbon"},
    ],
    ids=["plain", "filtered", "search-page-2", "answers"],
)
def test_list_runs_the_same_queries_for_10_and_1000_entries(
    client, award, mobility, construction, organiser, applicant, params
):
    categories = [mobility, construction]
    funded = question(award, "funded", "yes_no")
    add_bulk(10, award=award, categories=categories, applicant=applicant)
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])
    client.get(url)  # the session settles on the first request
    # Answer filters by question key here, by field name (q<id>) in the address.
    fields = {
        "market_readiness": field_name(award, "market_readiness"),
        "funded": funded.field_name,
    }
    params = {fields.get(key, key): value for key, value in params.items()}

    small, _small_rows = count_queries(client, url, params)
    add_bulk(990, award=award, categories=categories, applicant=applicant, start=10)
    large, large_rows = count_queries(client, url, params)

    assert Submission.objects.filter(award=award).count() == 1000
    assert large_rows > 0
    assert small == large
    # session, user, award, organiser's roles, categories, the questions to filter by, the
    # counts per category and status with the filter's total (the number of pages), the page
    # of entries, and the navigation's two lists
    # the session and the navigation's lists come from the cache
    assert large == 7


# --- Answers: search and filters ----------------------------------------------------------


def question(award, key, kind, **extra) -> Question:
    """A question of ``award``'s form after the standard ones."""
    choices = {
        "multiple": [
            {"value": "carbon", "de": "Kohlefaser", "en": "Carbon fibre"},
            {"value": "flax", "de": "Flachs", "en": "Flax"},
            {"value": "steel", "de": "Stahl", "en": "Steel"},
        ],
    }.get(kind, [])
    return Question.objects.create(
        award=award,
        key=key,
        kind=kind,
        label_de=key,
        label_en=extra.pop("label_en", key.capitalize()),
        position=1000 + Question.objects.filter(award=award).count(),
        choices=choices,
        **extra,
    )


def field_name(award, key) -> str:
    return award.questions.get(key=key).field_name


@pytest.fixture
def answered(award, many):
    """The entries of ``many`` with answers to the standard form and two more questions:
    materials (multiple choice) and funded (yes/no)."""
    question(award, "materials", "multiple")
    question(award, "funded", "yes_no")
    questions = list(award.questions.all())
    given = {
        "Flax bicycle frame": {
            "market_readiness": "7",
            "description": "Woven flax and bio-resin, pressed in one piece.",
            "materials": ["flax"],
            "funded": True,
        },
        "Carbon rail door": {
            "market_readiness": "4",
            "team": "Twelve people from the Zeppelinwerk in Wildau.",
            "materials": ["carbon", "steel"],
            "funded": False,
        },
        "Titanium drone arm": {"market_readiness": "7", "materials": ["steel"]},
        "Basalt bridge deck": {"market_readiness": "9", "funded": True},
    }
    for title, values in given.items():
        entry = many[title]
        entry.answers = answers_by_key(questions, values)
        for name, value in answers_index(questions, entry.answers).items():
            setattr(entry, name, value)
        entry.save()
    return many


def test_list_search_finds_a_text_answer(client, award, organiser, answered):
    client.force_login(organiser)
    url = reverse("submissions_manage:list", args=[award.slug])

    in_description = client.get(url, {"q": "BIO-RESIN"})
    in_team = client.get(url, {"q": "zeppelinwerk"})

    assert titles(in_description) == ["Flax bicycle frame"]
    assert titles(in_team) == ["Carbon rail door"]
    assert "Title, reference number, organisation or text answers" in (in_team.content.decode())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"market_readiness": "7"}, ["Flax bicycle frame", "Titanium drone arm"]),
        ({"market_readiness": "9"}, ["Basalt bridge deck"]),
        ({"materials": "steel"}, ["Carbon rail door", "Titanium drone arm"]),
        ({"materials": "carbon"}, ["Carbon rail door"]),
        ({"funded": "yes"}, ["Basalt bridge deck", "Flax bicycle frame"]),
        ({"funded": "no"}, ["Carbon rail door"]),
        ({"materials": "steel", "market_readiness": "7"}, ["Titanium drone arm"]),
        ({"funded": "yes", "status": "submitted", "q": "flax"}, ["Flax bicycle frame"]),
    ],
)
def test_list_filters_by_the_answer_to_a_choice_question(
    client, award, organiser, answered, filters, expected
):
    client.force_login(organiser)
    params = {
        (field_name(award, key) if key not in ("status", "q") else key): value
        for key, value in filters.items()
    }

    response = client.get(reverse("submissions_manage:list", args=[award.slug]), params)

    assert response.status_code == 200
    assert titles(response) == expected
    html = response.content.decode()
    # The export links carry the answer filters.
    for name, value in params.items():
        if name.startswith("q") and name != "q":
            assert f"{name}={value}" in html.split('data-testid="exports"')[1].split("</span>")[0]


def test_list_offers_one_filter_per_choice_question_in_the_form_order(
    client, award, organiser, answered
):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    form = response.context["form"]
    assert [field.label for field in form.answer_fields()] == [
        "Market readiness",
        "Materials",
        "Funded",
    ]
    html = response.content.decode()
    assert 'data-testid="answer-filters"' in html
    materials = field_name(award, "materials")
    assert f'<select name="{materials}"' in html
    assert '<option value="carbon">Carbon fibre</option>' in html
    # Text questions, headings and file slots are no filters.
    for key in ("description", "assessment", "images"):
        assert f'name="{field_name(award, key)}"' not in html


def test_list_ignores_bogus_answer_filters(client, award, organiser, answered):
    client.force_login(organiser)
    readiness = field_name(award, "market_readiness")
    description = field_name(award, "description")
    other_question = question(award, "elsewhere", "yes_no")
    Question.objects.filter(pk=other_question.pk).delete()

    response = client.get(
        reverse("submissions_manage:list", args=[award.slug]),
        {
            readiness: "12",  # not among the choices
            description: "x",  # a text question: no filter
            "q999999": "yes",  # no such question
            other_question.field_name: "yes",  # a question that no longer exists
            "qabc": "1",
            field_name(award, "funded"): "maybe",
        },
    )

    assert response.status_code == 200
    assert titles(response) == titles_all(answered)


def test_answer_filters_use_json_containment_on_postgresql(client, award, organiser, answered):
    """On PostgreSQL (the CI's database) the filter is JSON containment, which the GIN index
    answers; elsewhere the key's value. Either way the same entries."""
    client.force_login(organiser)
    materials = field_name(award, "materials")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("submissions_manage:list", args=[award.slug]), {materials: "flax"}
        )

    assert titles(response) == ["Flax bicycle frame"]
    page_query = next(
        q["sql"] for q in captured.captured_queries if "answers" in q["sql"] and "LIMIT" in q["sql"]
    )
    if connection.vendor == "postgresql":
        assert "@>" in page_query
    else:
        assert "@>" not in page_query


def test_list_escapes_html_in_labels_and_choices_of_filters(client, award, organiser, many):
    Question.objects.create(
        award=award,
        key="evil",
        kind="choice",
        label_de="x",
        label_en='<img src=x onerror=alert(1)> <a hx-get="/x">Evil</a>',
        position=5000,
        choices=[{"value": "a", "de": "a", "en": "<script>alert(1)</script>"}],
    )
    client.force_login(organiser)

    html = client.get(reverse("submissions_manage:list", args=[award.slug])).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert not ACTIVE_HX.search(html)

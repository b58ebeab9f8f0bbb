"""Editing an entry (/submissions/<pk>/edit/): who may, the form with its version and scripts,
text kept as typed and shown escaped, refused values at their field, a stale save showing both
texts, the deadline, and entries that are withdrawn or submitted."""

import re

import pytest
from django.urls import reverse

from submissions import services
from tests.factories import STANDARD_ANSWERS, answer_of
from tests.helpers import login, login_url
from tests.submissions.helpers import (
    EDITORS,
    HOSTILE,
    HOSTILE_ESCAPED,
    ROLES,
    close_award,
    closed_text,
    field_of,
    form_data,
    make_complete,
)

pytestmark = pytest.mark.django_db

# --- Editing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_by_role(client, people, entry, role):
    login(client, people[role])
    url = reverse("submissions:edit", kwargs={"pk": entry.pk})

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (200 if role in EDITORS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_explicit_save_by_role(client, people, entry, role):
    login(client, people[role])
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
    login(client, people["member"])

    html = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk})).content.decode()

    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert f'data-autosave-url="/submissions/{entry.pk}/autosave/"' in html
    assert 'data-msg-saved="Saved at {time}"' in html
    assert 'role="status" aria-live="polite" data-testid="autosave-status"' in html
    assert '<script src="/static/js/autosave.js" defer></script>' in html
    assert '<script src="/static/js/upload.js" defer></script>' in html
    assert f'action="/submissions/{entry.pk}/attachments/"' in html
    questions = {q.key: q for q in entry.award.questions.all()}
    for name in ("title", "summary", "consent_terms", "consent_data", "consent_publication"):
        assert f'id="id_{name}"' in html, name
    for key in ("description", "lightweight", "innovation", "future_potential", "team"):
        assert f'id="id_{questions[key].field_name}"' in html, key
    assert f'id="id_{questions["video_url"].field_name}"' in html
    # Market readiness (a choice): a select of its nine levels.
    assert f'<select name="{questions["market_readiness"].field_name}"' in html
    # Each file slot: its upload form after the entry's form, its input inside it (form=…).
    for key in ("images", "documents"):
        slot = questions[key]
        assert f'id="upload-{slot.pk}"' in html
        assert f'<input type="hidden" name="question" value="{slot.pk}">' in html
        assert f'form="upload-{slot.pk}"' in html
        assert f'id="slot-{slot.pk}"' in html
    assert html.index('id="entry-form"') < html.index(f'id="slot-{questions["images"].pk}"')
    assert html.index("</form>") < html.index(f'id="upload-{questions["images"].pk}"')


def test_text_fields_are_shown_escaped_in_the_edit_form(client, people, entry):
    entry.summary = HOSTILE
    entry.save()
    login(client, people["member"])

    html = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk})).content.decode()

    assert HOSTILE_ESCAPED in html
    assert "<script>alert" not in html
    assert 'hx-get="/x"' not in html


def test_explicit_save_keeps_any_text_as_typed(client, people, entry):
    login(client, people["member"])

    client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, description=HOSTILE, market_readiness="7", consent_terms="on"),
    )

    entry.refresh_from_db()
    assert (
        answer_of(entry, "description"),
        answer_of(entry, "market_readiness"),
        entry.consent_terms,
        entry.version,
    ) == (HOSTILE, "7", True, 2)


def test_a_refused_value_is_shown_at_its_field_and_the_text_stays(client, people, entry):
    login(client, people["member"])

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, summary="Kept text", video_url="javascript:alert(1)"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {field_of(entry, "video_url"): ["Enter a valid URL."]}
    assert "Kept text</textarea>" in html
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("", 1)


def test_a_video_link_without_scheme_becomes_https(client, people, entry):
    login(client, people["member"])

    client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}),
        form_data(entry, video_url="www.youtube.com/watch?v=abc"),
    )

    entry.refresh_from_db()
    assert answer_of(entry, "video_url") == "https://www.youtube.com/watch?v=abc"


def test_save_and_go_to_the_overview(client, people, entry):
    login(client, people["member"])

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
        answers={entry.award.questions.get(key="team").pk: "Max's team"},
    )
    login(client, people["member"])

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
    assert conflicts == {"summary": "Max&#x27;s summary", field_of(entry, "description"): "(empty)"}
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    entry.refresh_from_db()
    assert (entry.summary, answer_of(entry, "description"), entry.version) == (
        "Max's summary",
        None,
        2,
    )


def test_saving_again_after_reading_the_conflict_replaces_the_other_version(client, people, entry):
    services.submission_update(
        submission=entry, actor=people["colleague"], expected_version=1, summary="Max's"
    )
    login(client, people["member"])
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
    login(client, people["member"])

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
    login(client, people["member"])

    response = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}), follow=True)

    assert response.redirect_chain == [
        (reverse("submissions:detail", kwargs={"pk": entry.pk}), 302)
    ]
    assert closed_text(award) in response.content.decode()


def test_a_withdrawn_entry_cannot_be_edited(client, people, entry):
    entry.status = "withdrawn"
    entry.save()
    login(client, people["member"])

    response = client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}), follow=True)

    assert "An entry that is “Withdrawn” cannot be changed." in response.content.decode()


def test_a_submitted_entry_may_not_lose_a_required_field(client, people, entry):
    entry = make_complete(entry)
    entry.status = "submitted"
    entry.save()
    login(client, people["member"])

    response = client.post(
        reverse("submissions:edit", kwargs={"pk": entry.pk}), form_data(entry, team="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {field_of(entry, "team"): ["Answer “Team”."]}
    assert "Answer “Team”." in response.content.decode()
    entry.refresh_from_db()
    assert answer_of(entry, "team") == STANDARD_ANSWERS["team"]

"""Computing the assignments asks first: the plan (kept, added, removed, whose work changes)
is computed without writing and is exactly what the run then does; only the confirmed POST
runs it, a second one (or one after a change) does not, and nobody but the organisers may
ask."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment, Conflict, RoundEntry
from tests.factories import JurorFactory, SubmissionFactory
from tests.helpers import html_lang, text
from tests.jury.manage_helpers import followed_messages, url

pytestmark = pytest.mark.django_db


def pairs(s) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(round=s.round).values_list("juror_id", "submission_id"))


def runs() -> int:
    return AuditEntry.objects.filter(action="jury.assignments_computed").count()


def counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="plan-(kept|added|removed|jurors)">(\d+)<', html))


def affected(html: str) -> dict[int, tuple[str, str]]:
    table = re.search(r'data-testid="plan-affected">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(
        r'<tr data-juror="(\d+)">.*?data-col="added">(\d+)<.*?data-col="removed">(\d+)<',
        table,
        re.S,
    )
    return {int(pk): (added, removed) for pk, added, removed in rows}


@pytest.fixture
def rerun(s):
    """Round 1 of ``s`` (3 entries, 3 jurors, k = 2) computed once: each juror reviews 2
    entries. Then the third juror may take none any more, so a run now would give each of
    the first two jurors the entry they lack and take the third juror's two away."""
    services.assignment_run(round=s.round, actor=s.organiser)
    third = s.jurors[2]
    third.max_assignments = 0
    third.save(update_fields=["max_assignments"])
    s.before = pairs(s)
    return s


def test_the_round_page_links_to_the_plan(organiser_client, s):
    html = text(organiser_client.get(url(s, "round", number=1)))

    link = re.search(r'<a [^>]*data-testid="assignments-run"[^>]*>', html).group(0)
    assert f'href="{url(s, "assignments_run", number=1)}"' in link


def test_the_plan_of_a_first_run_adds_k_reviews_per_entry(organiser_client, s):
    html = text(organiser_client.get(url(s, "assignments_run", number=1)))

    assert counts(html) == {"kept": "0", "added": "6", "removed": "0", "jurors": "3"}
    assert affected(html) == {juror.pk: ("2", "0") for juror in s.jurors}
    assert pairs(s) == set() and runs() == 0


def test_the_plan_of_a_rerun_shows_what_is_kept_added_and_removed(organiser_client, rerun):
    first, second, third = rerun.jurors

    response = organiser_client.get(url(rerun, "assignments_run", number=1))

    html = text(response)
    assert counts(html) == {"kept": "4", "added": "2", "removed": "2", "jurors": "3"}
    assert affected(html) == {first.pk: ("1", "0"), second.pk: ("1", "0"), third.pk: ("0", "2")}
    summary = " ".join(re.search(r'data-testid="plan-summary">(.*?)</p>', html, re.S)[1].split())
    assert summary.startswith(
        "2 assignments will be added, 2 automatic assignments not yet started will be removed."
    )
    form = re.search(r'<form [^>]*data-testid="plan-confirm-form"[^>]*>', html).group(0)
    assert "data-once" in form
    plan = services.assignment_plan(round=rerun.round)
    assert f'<input type="hidden" name="plan" value="{plan.fingerprint}">' in html
    assert pairs(rerun) == rerun.before and runs() == 1


def test_the_plan_writes_nothing_and_the_run_does_exactly_the_plan(rerun):
    first = rerun.jurors[0]
    # A conflict the run will suggest (and record) first: the plan already leaves it out.
    first.affiliation = rerun.submissions[0].organisation.name
    first.save(update_fields=["affiliation"])

    plan = services.assignment_plan(round=rerun.round)

    assert not Conflict.objects.exists()
    assert pairs(rerun) == rerun.before
    assert (first.pk, rerun.submissions[0].pk) not in plan.add
    report = services.assignment_run(
        round=rerun.round, actor=rerun.organiser, expected=plan.fingerprint
    )
    assert Conflict.objects.count() == 1
    assert (report.created, report.removed, report.kept + report.unchanged) == (
        len(plan.add),
        len(plan.remove),
        len(plan.kept) + len(plan.unchanged),
    )
    assert pairs(rerun) == (rerun.before - set(plan.remove)) | set(plan.add)


def test_a_post_without_confirm_changes_nothing(organiser_client, rerun):
    plan = services.assignment_plan(round=rerun.round)

    response = organiser_client.post(
        url(rerun, "assignments_run", number=1), {"plan": plan.fingerprint}
    )

    assert response.status_code == 200
    assert 'data-testid="plan-confirm-form"' in text(response)
    assert pairs(rerun) == rerun.before and runs() == 1


def test_the_confirmed_post_runs_the_plan_once(organiser_client, rerun):
    first, second, _third = rerun.jurors
    plan = services.assignment_plan(round=rerun.round)
    data = {"confirm": "on", "plan": plan.fingerprint}

    response = organiser_client.post(url(rerun, "assignments_run", number=1), data)

    assert response["Location"] == url(rerun, "assignments", number=1)
    report = text(organiser_client.get(response["Location"]))
    assert re.search(r'data-testid="report-created">2<', report)
    assert re.search(r'data-testid="report-kept">4<', report)
    assert re.search(r'data-testid="report-removed">2<', report)
    after = pairs(rerun)
    assert after == {(j.pk, e.pk) for j in (first, second) for e in rerun.submissions}
    assert runs() == 2

    again = organiser_client.post(url(rerun, "assignments_run", number=1), data)

    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        "The assignments have changed since this plan was shown (perhaps they have just been "
        "computed). Check the plan for the assignments as they are now."
    ]
    assert 'data-testid="plan-unchanged"' in text(again)
    assert pairs(rerun) == after and runs() == 2


def test_a_plan_made_stale_by_a_change_by_hand_is_refused(organiser_client, rerun):
    plan = services.assignment_plan(round=rerun.round)
    Assignment.objects.filter(round=rerun.round, juror=rerun.jurors[2]).first().delete()
    changed = pairs(rerun)

    response = organiser_client.post(
        url(rerun, "assignments_run", number=1), {"confirm": "on", "plan": plan.fingerprint}
    )

    assert response.status_code == 200
    assert pairs(rerun) == changed and runs() == 1


def test_the_plan_runs_a_fixed_number_of_queries(
    organiser_client, rerun, django_assert_num_queries
):
    page = url(rerun, "assignments_run", number=1)
    organiser_client.get(page)  # the session settles
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(page)
    for _ in range(3):
        JurorFactory(award=rerun.award, categories=[rerun.category])
        entry = SubmissionFactory(award=rerun.award, category=rerun.category, status="eligible")
        RoundEntry.objects.create(round=rerun.round, submission=entry)
    count = len(few)
    organiser_client.get(page)  # the navigation's lists are read again after the new seats

    with django_assert_num_queries(count):
        response = organiser_client.get(page)

    assert counts(text(response))["jurors"] == "6"


def test_a_closed_round_has_no_plan(organiser_client, s):
    services.round_close(round=s.round, actor=s.organiser)

    response = organiser_client.get(url(s, "assignments_run", number=1))

    assert response["Location"] == url(s, "round", number=1)
    assert followed_messages(organiser_client, response) == [
        "This round is closed; its assignments can no longer change."
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, s, method):
    response = getattr(client, method)(url(s, "assignments_run", number=1))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert not Assignment.objects.filter(round=s.round).exists()


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_else_gets_404(client, s, who, method):
    user = {
        "applicant": s.applicant,
        "juror": s.jurors[0].user,
        "other_organiser": s.other.organiser,
    }[who]
    client.force_login(user)
    plan = services.assignment_plan(round=s.round)

    response = getattr(client, method)(
        url(s, "assignments_run", number=1), {"confirm": "on", "plan": plan.fingerprint}
    )

    assert response.status_code == 404
    assert not Assignment.objects.filter(round=s.round).exists() and runs() == 0


def test_the_plan_in_german(client, s):
    s.organiser.preferred_language = "de"
    s.organiser.save(update_fields=["preferred_language"])
    client.force_login(s.organiser)

    response = client.get(url(s, "assignments_run", number=1))

    html = text(response)
    assert html_lang(response) == "de"
    with translation.override("de"):
        assert gettext("Compute the assignments?") in html
        assert gettext("Yes, compute the assignments") in html
        assert gettext("Kept") in html
    assert counts(html)["added"] == "6"

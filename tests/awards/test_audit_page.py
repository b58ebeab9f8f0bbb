"""The award's audit log page (/manage/<slug>/audit/): organisers only, newest first, 50 per
page, each entry with its label, author, time in the award's time zone, target and data, and
at the top the check of the hash chain, which names an entry altered in the database."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from awards import services
from awards.models import AuditEntry, Award
from tests.factories import AwardFactory, AwardRoleFactory, JurorFactory, UserFactory
from tests.helpers import prefer_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(status="draft", timezone="America/New_York")


@pytest.fixture
def organiser(award):
    return prefer_english(AwardRoleFactory(award=award, role="organiser").user)


@pytest.fixture
def page(award):
    return reverse("awards:audit", kwargs={"slug": award.slug})


def entries(html: str) -> list[tuple[str, str]]:
    """(entry id, action) of the rows, in page order."""
    return re.findall(r'data-testid="audit-entry" data-entry="(\d+)" data-action="([\w.]+)"', html)


def test_the_log_lists_every_change_newest_first_with_an_intact_chain(
    client, award, organiser, page
):
    category = services.category_create(
        award=award, actor=organiser, code="MOB", name_de="Mobilität", name_en="Mobility"
    )
    services.category_update(category=category, actor=organiser, name_en="Mobility & transport")
    client.force_login(organiser)
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    created, updated = AuditEntry.objects.filter(award=award).order_by("pk")
    assert entries(html) == [
        (str(updated.pk), "category.updated"),
        (str(created.pk), "category.created"),
    ]
    assert 'data-testid="chain-intact"><strong>intact</strong>' in html
    row = re.search(rf'data-entry="{updated.pk}".*?</tr>', html, re.S).group(0)
    assert "Category changed" in row
    assert escape(organiser.full_name) in row
    assert "<td>Category: Mobility &amp; transport</td>" in row
    # The changed field, named as on the form, from before to after (escaped).
    assert re.search(
        r"<dt[^>]*>name \(English\)</dt>\s*<dd[^>]*>Mobility → Mobility &amp; transport</dd>", row
    )
    # The time in the award's zone (New York), not the server's.
    with translation.override("en"), timezone.override("America/New_York"):
        shown = formats.date_format(timezone.localtime(updated.created_at), "DATETIME_FORMAT")
    assert shown in row
    assert "Times in America/New_York." in html


def test_an_entry_altered_in_the_database_is_named(client, award, organiser, page):
    for number in range(3):
        services.audit_log(
            award=award, actor=organiser, action="award.updated", target=award, data={"n": number}
        )
    _first, second, _third = AuditEntry.objects.filter(award=award).order_by("pk")
    AuditEntry.objects.filter(pk=second.pk).update(data={"n": 99})
    client.force_login(organiser)
    html = client.get(page).content.decode()
    assert 'data-testid="chain-intact"' not in html
    broken = re.search(r'data-testid="chain-broken".*?</div>', html, re.S).group(0)
    assert "1 entry no longer matches its fingerprint." in broken
    assert re.findall(r'<li data-entry="(\d+)">', broken) == [str(second.pk)]
    assert re.findall(r'data-entry="(\d+)" data-action="[\w.]+" class="table-danger"', html) == [
        str(second.pk)
    ]


def test_the_data_is_shown_escaped(client, award, organiser, page):
    services.audit_log(
        award=award,
        actor=None,
        action="decision.reopened",
        target=award,
        data={"before": {"places": [7, 9]}, "after": None, "reason": "<script>alert(1)</script>"},
    )
    client.force_login(organiser)
    html = client.get(page).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Before and after as one change, keys in words; ids of entries not found by number.
    assert re.search(
        r"<dt[^>]*>Change</dt>\s*<dd[^>]*>Places: entry no. 7, entry no. 9 → –</dd>", html
    )
    assert re.search(r"<dt[^>]*>Reason</dt>", html)
    assert "Decision reopened" in html
    assert "<td>System</td>" in html


def test_fifty_entries_per_page(client, award, organiser, page):
    for number in range(60):
        services.audit_log(
            award=award, actor=organiser, action="award.updated", target=award, data={"n": number}
        )
    ids = list(AuditEntry.objects.filter(award=award).order_by("-pk").values_list("pk", flat=True))
    client.force_login(organiser)
    first = client.get(page).content.decode()
    assert [int(pk) for pk, _ in entries(first)] == ids[:50]
    assert "60 entries" in first
    assert "Page 1 of 2" in first
    second = client.get(page + "?page=2").content.decode()
    assert [int(pk) for pk, _ in entries(second)] == ids[50:]


@pytest.mark.parametrize("who", ["anonymous", "chair", "juror", "other_organiser", "stranger"])
def test_only_the_awards_organisers_see_the_log(client, award, page, who):
    services.audit_log(award=award, actor=None, action="award.updated", target=award, data={})
    other = AwardFactory()
    users = {
        "anonymous": None,
        "chair": JurorFactory(award=award, role="jury_chair").user,
        "juror": JurorFactory(award=award).user,
        "other_organiser": AwardRoleFactory(award=other, role="organiser").user,
        "stranger": UserFactory(),
    }
    user = users[who]
    if user is not None:
        client.force_login(user)
    response = client.get(page)
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == 404
    assert Award.objects.filter(pk=award.pk).exists()

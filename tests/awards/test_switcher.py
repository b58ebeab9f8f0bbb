"""The "my awards" switcher: one entry in the main navigation, however many editions and
roles, listing exactly the user's (organiser: "Manage", juror and chair: "Jury"), the
page's edition marked, in a fixed number of queries."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AwardFactory, AwardRoleFactory, JurorFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"  # a page that lists no award of its own


class Switcher(HTMLParser):
    """Reads the switcher out of a page: its toggle, and per link the group it is in, its
    text, address and whether it is marked as this page's."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.count = 0  # switchers on the page
        self.toggle: dict[str, str | None] = {}
        self.links: list[tuple[str, str, str, bool]] = []
        self._depth = 0  # inside the switcher's <li> while > 0
        self._group = ""
        self._in: str | None = None  # "header", "link", "toggle"
        self._text = ""
        self._link: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-testid") == "awards-switcher":
            self.count += 1
            self._depth = 1
            return
        if not self._depth:
            return
        if tag == "li":
            self._depth += 1
        if tag == "button" and attrs.get("data-bs-toggle") == "dropdown":
            self.toggle, self._in, self._text = attrs, "toggle", ""
        elif "dropdown-header" in (attrs.get("class") or ""):
            self._in, self._text = "header", ""
        elif tag == "a":
            self._link, self._in, self._text = attrs, "link", ""

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "li":
            self._depth -= 1
        elif tag == "button" and self._in == "toggle":
            self.toggle = {**self.toggle, "text": " ".join(self._text.split())}
            self._in = None
        elif tag == "span" and self._in == "header":
            self._group, self._in = " ".join(self._text.split()), None
        elif tag == "a" and self._in == "link":
            current = self._link.get("aria-current") == "page"
            text = " ".join(self._text.split())
            self.links.append((self._group, text, self._link["href"], current))
            self._in = None

    def handle_data(self, data):
        if self._depth and self._in:
            self._text += data


def switcher(client, address: str = PROFILE) -> Switcher:
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return Switcher(response.content.decode())


@pytest.fixture
def person(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    return user


def test_the_switcher_lists_exactly_the_users_editions_with_their_roles(client, person):
    managed_old = AwardFactory(name="LIA", edition=2031)
    managed_new = AwardFactory(name="LIA", edition=2033)
    judged = AwardFactory(name="LIA", edition=2032, status="judging")
    chaired = AwardFactory(name="LIA", edition=2034, status="judging")
    for award in (managed_old, managed_new):
        AwardRoleFactory(award=award, user=person, role="organiser")
    JurorFactory(award=judged, user=person)
    JurorFactory(award=chaired, user=person, role="jury_chair")
    # Not theirs: another's edition, a seat they left, another's jury.
    AwardRoleFactory(award=AwardFactory(edition=2040), role="organiser")
    JurorFactory(award=AwardFactory(edition=2041, status="judging"), user=person, is_active=False)
    JurorFactory(award=AwardFactory(edition=2042, status="judging"))

    found = switcher(client)

    assert found.count == 1
    assert found.toggle["text"] == "My awards"
    assert found.toggle["aria-expanded"] == "false"
    assert found.links == [
        ("Manage", "LIA 2033", f"/manage/{managed_new.slug}/", False),
        ("Manage", "LIA 2031", f"/manage/{managed_old.slug}/", False),
        ("Jury", "LIA 2034 Jury chair", f"/jury/{chaired.slug}/", False),
        ("Jury", "LIA 2032", f"/jury/{judged.slug}/", False),
    ]


def test_the_edition_of_the_page_is_marked_in_its_role(client, person):
    award = AwardFactory(name="LIA", edition=2031, status="judging")
    other = AwardFactory(name="LIA", edition=2032)
    AwardRoleFactory(award=award, user=person, role="organiser")
    AwardRoleFactory(award=other, user=person, role="organiser")
    JurorFactory(award=award, user=person)

    on_manage = switcher(client, f"/manage/{award.slug}/jury/")
    on_jury = switcher(client, f"/jury/{award.slug}/")
    elsewhere = switcher(client)

    assert [link[:3] for link in on_manage.links if link[3]] == [
        ("Manage", "LIA 2031", f"/manage/{award.slug}/")
    ]
    assert [link[:3] for link in on_jury.links if link[3]] == [
        ("Jury", "LIA 2031", f"/jury/{award.slug}/")
    ]
    assert [link for link in elsewhere.links if link[3]] == []


def test_without_a_role_there_is_no_switcher(client, person):
    AwardFactory(status="open")

    assert switcher(client).count == 0
    client.logout()
    assert Switcher(client.get("/").content.decode()).count == 0


def _editions(person, n: int) -> None:
    for _ in range(n):
        AwardRoleFactory(award=AwardFactory(), user=person, role="organiser")
        JurorFactory(award=AwardFactory(status="judging"), user=person)


def _roles_side(client) -> list[str]:
    """The top-level entries of the navigation's left-hand list (the roles' side)."""
    html = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    roles = html.split('<ul class="navbar-nav me-auto">', 1)[1]
    roles = roles.split('<ul class="navbar-nav align-items-lg-center">', 1)[0]
    return re.findall(r'<li class="nav-item[^"]*"[^>]*>', roles)


@pytest.mark.parametrize("editions", [1, 6])
def test_at_most_one_navigation_entry_for_any_number_of_editions(client, person, editions):
    _editions(person, editions)

    found = switcher(client)

    assert found.count == 1
    assert len(found.links) == 2 * editions
    # "My entries" and the switcher, nothing per edition.
    assert _roles_side(client) == [
        '<li class="nav-item">',
        '<li class="nav-item dropdown" data-testid="awards-switcher">',
    ]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROFILE).status_code == 200
    return len(queries)


def test_the_switcher_runs_a_fixed_number_of_queries_and_none_once_cached(client, person):
    _editions(person, 1)
    cold_one, warm_one = _queries(client), _queries(client)
    _editions(person, 5)
    cold_six, warm_six = _queries(client), _queries(client)

    assert len(switcher(client).links) == 12
    assert cold_one == cold_six  # both lists read in one query each, however many editions
    assert warm_one == warm_six == cold_one - 2  # then kept in the cache per user


def test_a_new_seat_a_revoked_role_and_a_renamed_award_show_in_the_switcher_at_once(client, person):
    def names() -> list[str]:
        return [text for _group, text, _address, _current in switcher(client).links]

    role = AwardRoleFactory(award=AwardFactory(name="LIA", edition=2031), user=person)
    before = names()
    seat = JurorFactory(award=AwardFactory(name="Jury Cup", edition=2032), user=person)
    with_seat = names()
    seat.award.name = "Jury Prize"
    seat.award.save()
    renamed = names()
    role.delete()
    revoked = names()

    assert before == ["LIA 2031"]
    assert sorted(with_seat) == ["Jury Cup 2032", "LIA 2031"]
    assert sorted(renamed) == ["Jury Prize 2032", "LIA 2031"]
    assert revoked == ["Jury Prize 2032"]

"""The time-zone field of an award's settings: a select grouped by region, with the award's
zone and Europe/Berlin first, each zone once, places named as people read them; every zone of
the list still saves, and the page names the groups."""

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from awards.forms import AwardSettingsForm, timezone_choices, timezone_names
from awards.models import Award
from tests.awards.test_settings_views import settings_data
from tests.factories import AwardFactory

pytestmark = pytest.mark.django_db


def values(choices) -> list[str]:
    return [value for _group, options in choices for value, _label in options]


def groups(choices) -> list[str]:
    return [str(group) for group, _options in choices]


def test_the_current_zone_and_berlin_come_first_then_the_regions():
    with translation.override("en"):
        choices = timezone_choices("America/New_York")
        # The group names are translated when shown: read them in the same language.
        assert groups(choices)[:3] == ["Suggested", "Europe", "America"]
        assert groups(choices)[-1] == "Other"
    assert choices[0][1] == [
        ("America/New_York", "America/New York"),
        ("Europe/Berlin", "Europe/Berlin"),
    ]
    europe = dict(choices[1][1])
    assert europe["Europe/Vienna"] == "Vienna"
    assert "Europe/Berlin" not in europe  # once, among the suggested
    america = dict(choices[2][1])
    assert america["America/Argentina/Buenos_Aires"] == "Argentina / Buenos Aires"
    assert "America/New_York" not in america
    assert "UTC" in dict(choices[-1][1])


def test_every_zone_is_offered_exactly_once():
    offered = values(timezone_choices("Europe/Berlin"))

    assert len(offered) == len(set(offered))
    assert set(offered) == set(timezone_names())
    assert "GB" not in offered and "localtime" not in offered
    assert all(name == "UTC" or "/" in name for name in offered)


def test_the_group_names_are_translatable():
    # Translated when the page renders (German: Vorgeschlagen, Europa, Amerika, …).
    assert all(isinstance(group, Promise) for group, _options in timezone_choices())


def test_a_zone_set_elsewhere_is_offered_first_so_the_form_saves_it():
    award = AwardFactory(timezone="GB")

    form = AwardSettingsForm(instance=award)

    assert form.fields["timezone"].choices[0][1][0] == ("GB", "GB")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kolkata", "America/Argentina/Salta"])
def test_zones_of_every_group_validate(award, zone):
    form = AwardSettingsForm(settings_data(award, timezone=zone), instance=award)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["timezone"] == zone
    assert zoneinfo.ZoneInfo(form.cleaned_data["timezone"])


def test_the_settings_page_saves_a_zone_from_a_group(client, award, organiser):
    client.force_login(organiser)
    url = reverse("awards:settings", kwargs={"slug": award.slug})

    page = client.get(url).content.decode()
    response = client.post(url, settings_data(award, timezone="Europe/Vienna"))

    assert '<optgroup label="Suggested">' in page
    assert '<optgroup label="Europe">' in page
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in page
    assert response.status_code == 302
    assert Award.objects.get(pk=award.pk).timezone == "Europe/Vienna"

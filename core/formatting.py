"""Formatting that every app shows the same way."""

import datetime as dt
from typing import Protocol

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext, pgettext


class HasTimezone(Protocol):
    """Anything with its own time zone, e.g. an award (``timezone`` name, ``tzinfo``)."""

    timezone: str

    @property
    def tzinfo(self) -> dt.tzinfo: ...


def format_moment(owner: HasTimezone, moment: dt.datetime) -> str:
    """``moment`` in ``owner``'s time zone with the zone named, in the reader's language:
    "24. Mai 2023, 18:00 (Europe/Berlin)"."""
    local = timezone.localtime(moment, owner.tzinfo)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({owner.timezone})"


# Zones a reader knows by a name in words; any other is named as it is: "(America/New_York)".
ZONES_IN_WORDS = {"Europe/Berlin": gettext_lazy("German time")}


def zone_in_words(owner: HasTimezone) -> str:
    """``owner``'s time zone as a reader names it after a time: "German time" ("deutscher
    Zeit": "18:00 Uhr deutscher Zeit"), else the zone in brackets: "(Europe/Vienna)"."""
    words = ZONES_IN_WORDS.get(owner.timezone)
    return str(words) if words is not None else f"({owner.timezone})"


def moment_in_words(owner: HasTimezone, moment: dt.datetime) -> str:
    """``moment`` in ``owner``'s zone, the zone in words, in the reader's language:
    "12. Dezember 2026, 18:00 Uhr deutscher Zeit", "12 December 2026, 6:00 p.m. German time"."""
    local = timezone.localtime(moment, owner.tzinfo)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {zone_in_words(owner)}"


def time_in_words(owner: HasTimezone, moment: dt.datetime) -> str:
    """The time of day of ``moment`` in ``owner``'s zone, the zone in words: "16:36 Uhr
    deutscher Zeit", "4:36 p.m. German time" (an autosave's "Saved at …")."""
    local = timezone.localtime(moment, owner.tzinfo)
    return f"{formats.time_format(local, 'TIME_FORMAT')} {zone_in_words(owner)}"


# The msgids are written out in each call, so that makemessages finds them.
def _days(count: int) -> str:
    return npgettext("a duration after “in”", "%(count)d day", "%(count)d days", count) % {
        "count": count
    }


def _hours(count: int) -> str:
    return npgettext("a duration after “in”", "%(count)d hour", "%(count)d hours", count) % {
        "count": count
    }


def _minutes(count: int) -> str:
    return npgettext("a duration after “in”", "%(count)d minute", "%(count)d minutes", count) % {
        "count": count
    }


def duration_in_words(span: dt.timedelta) -> str:
    """How long ``span`` is, for "in …", rounded down to the two largest units that matter:
    "3 days and 4 hours", "5 hours and 12 minutes", "12 minutes", "less than a minute"
    (German in the dative: "3 Tagen und 4 Stunden"). A negative span counts as none."""
    seconds = max(int(span.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        parts = [_days(days)] + ([_hours(hours)] if hours else [])
    elif hours:
        parts = [_hours(hours)] + ([_minutes(minutes)] if minutes else [])
    elif minutes:
        parts = [_minutes(minutes)]
    else:
        return pgettext("a duration after “in”", "less than a minute")
    if len(parts) == 1:
        return parts[0]
    return _("%(larger)s and %(smaller)s") % {"larger": parts[0], "smaller": parts[1]}

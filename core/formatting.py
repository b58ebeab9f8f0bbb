"""Formatting that every app shows the same way."""

import datetime as dt
from typing import Protocol

from django.utils import formats, timezone


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

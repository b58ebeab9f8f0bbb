"""What a certificate says: the placeholders of its wording, the default wording, and the
words printed for each distinction in each language.

The printed words are per language by design, not by the reader's: the German page of a
certificate is German whoever draws it, so they are constants here rather than translations
of the interface (the interface's strings are translated as usual)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .enums import CertificateKind

# The placeholders a wording may use, with what each stands for (shown as help on the form).
PLACEHOLDERS = {
    "company": _("the company's name"),
    "submission_title": _("the entry's title"),
    "reference": _("the entry's reference number"),
    "category": _("the category"),
    "distinction": _("what the certificate is for, e.g. “first place” or “participation”"),
    "award_name": _("the award and edition, e.g. Lightweight Innovation Award 2023"),
    "organiser_name": _("who organises the award"),
    "date": _("the day the results were published"),
}

DEFAULT_WORDING = {
    "de": (
        "{{ company }} hat mit der Einreichung „{{ submission_title }}“ in der Kategorie "
        "{{ category }} am Wettbewerb „{{ award_name }}“ teilgenommen und erhält diese Urkunde "
        "für: {{ distinction }}."
    ),
    "en": (
        "{{ company }} took part in {{ award_name }} with the entry “{{ submission_title }}” "
        "in the category {{ category }} and receives this certificate for: {{ distinction }}."
    ),
}

# The headline of each kind; ``{place}`` is the place's number.
HEADLINE = {
    "de": {
        CertificateKind.WINNER: "1. Platz",
        CertificateKind.PLACE: "{place}. Platz",
        CertificateKind.MENTION: "Lobende Erwähnung",
        CertificateKind.FINALIST: "Finalteilnahme",
        CertificateKind.PARTICIPANT: "Teilnahme",
    },
    "en": {
        CertificateKind.WINNER: "Winner",
        CertificateKind.PLACE: "{ordinal} place",
        CertificateKind.MENTION: "Special mention",
        CertificateKind.FINALIST: "Finalist",
        CertificateKind.PARTICIPANT: "Participation",
    },
}

# The value of ``{{ distinction }}`` inside a sentence.
DISTINCTION = {
    "de": {
        CertificateKind.WINNER: "den 1. Platz",
        CertificateKind.PLACE: "den {place}. Platz",
        CertificateKind.MENTION: "eine lobende Erwähnung der Jury",
        CertificateKind.FINALIST: "den Einzug ins Finale",
        CertificateKind.PARTICIPANT: "die Teilnahme",
    },
    "en": {
        CertificateKind.WINNER: "first place",
        CertificateKind.PLACE: "{ordinal} place",
        CertificateKind.MENTION: "a special mention of the jury",
        CertificateKind.FINALIST: "reaching the final",
        CertificateKind.PARTICIPANT: "participation",
    },
}

ORDINALS_EN = {1: "first", 2: "second", 3: "third"}

# The fixed words of the page.
PAGE = {
    "de": {
        "title": "URKUNDE",
        "category": "Kategorie",
        "certificate_id": "Urkunden-Nr.",
        "verify": "Echtheit prüfen:",
    },
    "en": {
        "title": "CERTIFICATE",
        "category": "Category",
        "certificate_id": "Certificate no.",
        "verify": "Verify at:",
    },
}


def _fill(text: str, place: int | None) -> str:
    place = place or 1
    ordinal = ORDINALS_EN.get(place, f"{place}th")
    return text.format(place=place, ordinal=ordinal)


def headline(kind: str, place: int | None, language: str) -> str:
    text = _fill(HEADLINE[language][kind], place)
    return text[:1].upper() + text[1:]


def distinction(kind: str, place: int | None, language: str) -> str:
    return _fill(DISTINCTION[language][kind], place)

"""The German catalogue is complete, compiled, and covers every string in the code."""

import gettext
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.services import ROOT, require_service

PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_every_german_string_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in _entries(po) if not e.translated()]
    assert missing == []


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _entries(po):
        if entry.msgid_plural:
            got = [
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
            want = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            want = entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], "run: manage.py compilemessages -l de"


def test_catalogue_contains_every_string_marked_in_the_code(tmp_path, monkeypatch):
    require_service(bool(shutil.which("xgettext")), "gettext (xgettext) is not installed")
    # makemessages writes into the tree it runs in: run it on a copy, never on the repo.
    tree = tmp_path / "tree"
    for folder in [
        "accounts",
        "awards",
        "config",
        "jury",
        "notifications",
        "submissions",
        "templates",
    ]:
        shutil.copytree(
            ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    (tree / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(tree / "locale")]):
        call_command("makemessages", locale=["de"], no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(tree / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in _entries(polib.pofile(str(PO)))}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed)
    assert missing == [], "run: manage.py makemessages -l de --no-obsolete, then translate"


@pytest.mark.parametrize("language", ["de", "en"])
def test_settings_offer_exactly_german_and_english(language, settings):
    assert language in dict(settings.LANGUAGES)
    assert settings.LANGUAGE_CODE == "de"
    assert os.fspath(Path(settings.LOCALE_PATHS[0])) == os.fspath(ROOT / "locale")


@pytest.mark.parametrize("language", ["de", "en"])
def test_ids_render_without_thousand_separators_but_money_is_grouped(language):
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    with translation.override(language):
        html = Template("{% load laurel %}{{ pk }}|{{ prize|money }}").render(
            Context({"pk": 5244, "prize": Decimal("10000")})
        )
    assert html == ("5244|10.000\u00a0€" if language == "de" else "5244|€10,000")

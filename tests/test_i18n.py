"""Finnish and Swedish are complete, and the compiled catalogs are what the sources say."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalog__every_message_is_translated_and_none_is_fuzzy(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalog if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert not missing, f"untranslated in {language}: {missing}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalog__placeholders_are_kept(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in catalog:
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        expected = sorted(polib.re.findall(r"%\(\w+\)s", entry.msgid))
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for text in translations:
            assert sorted(polib.re.findall(r"%\(\w+\)s", text)) in (
                expected,
                sorted(set(expected)),
            ), (entry.msgid, text)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_catalog__the_committed_mo_matches_the_po(language):
    """The demo runs without gettext tools, so the .mo files are committed; they must be
    compiled from the current .po (run `manage.py compilemessages` after editing)."""
    directory = LOCALE / language / "LC_MESSAGES"
    source = polib.pofile(str(directory / "django.po"))
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in source:
        if entry.obsolete or not entry.translated() or "fuzzy" in entry.flags:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            got = compiled.ngettext(key, entry.msgid_plural, 1)
            assert got == entry.msgstr_plural[0], entry.msgid
        else:
            assert compiled.gettext(key) == entry.msgstr, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_catalog__holds_exactly_the_messages_the_sources_mark(tmp_path):
    """The catalogue is what `makemessages` makes of the sources now: a message marked where
    xgettext cannot see it (inside an f-string, say) would be dropped by the next update and
    shown untranslated, and a message no longer marked would linger. Run on a copy of the
    sources, so that the project's own catalogues are not touched."""
    root = Path(settings.BASE_DIR)
    for name in ("allianssi", "config"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "manage.py", tmp_path)
    shutil.copytree(LOCALE / "fi", tmp_path / "locale" / "fi")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=True,
    )
    made = polib.pofile(str(tmp_path / "locale" / "fi" / "LC_MESSAGES" / "django.po"))
    kept = polib.pofile(str(LOCALE / "fi" / "LC_MESSAGES" / "django.po"))

    def messages(catalog: polib.POFile) -> set[tuple[str | None, str]]:
        return {(e.msgctxt, e.msgid) for e in catalog if not e.obsolete}

    assert messages(made) - messages(kept) == set(), "marked in the sources, not in the catalogue"
    assert messages(kept) - messages(made) == set(), "in the catalogue, marked nowhere"

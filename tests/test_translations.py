"""The public interface exists in every configured language: every string marked in the
templates and code is in each catalogue, translated, and compiled into the .mo file Django
reads. Fails when a string is added (or changed) without its French and Arabic."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = ROOT / "articles" / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]

# {% translate "…" %} / {% translate '…' %}, and {% blocktranslate … %}…{% endblocktranslate %}
# whose bodies use {{ name }} placeholders (which become %(name)s in the catalogue).
_TRANSLATE = re.compile(r"""\{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
_BLOCK = re.compile(r"\{%\s*blocktranslate\b([^%]*)%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
_PLURAL = re.compile(r"\{%\s*plural\s*%\}")
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_GETTEXT = re.compile(r"""\b_\(\s*((?:"[^"]*"\s*)+)\)""")


def marked_strings() -> set[str]:
    found = set()
    for template in (ROOT / "templates").rglob("*.html"):
        if "admin" in template.parts:
            continue  # the desk's templates are Django admin's, translated by Django
        text = template.read_text()
        for double, single in _TRANSLATE.findall(text):
            found.add(double or single)
        for _options, body in _BLOCK.findall(text):
            singular = _PLURAL.split(body)[0]
            found.add(_VARIABLE.sub(r"%(\1)s", singular))
    for module in (ROOT / "articles").rglob("*.py"):
        for literal in _GETTEXT.findall(module.read_text()):
            found.add("".join(re.findall(r'"([^"]*)"', literal)))
    return found


def test_the_scan_finds_the_public_strings():
    strings = marked_strings()
    assert {"Corrections and updates", "Updated", "Page not found", "Search"} <= strings
    assert "%(shown)s story" in strings
    assert "The search text has no words to look for; showing every story." in strings


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated(language):
    po = polib.pofile(str(CATALOGUES / language / "LC_MESSAGES" / "django.po"))
    entries = {entry.msgid: entry for entry in po}
    missing = sorted(marked_strings() - set(entries))
    assert not missing, f"not in the {language} catalogue (run makemessages): {missing}"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated and not fuzzy, (language, untranslated, fuzzy)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid
        elif "%(" in entry.msgid:
            # The same placeholders, so no translation drops the name or the number.
            assert set(re.findall(r"%\(\w+\)s", entry.msgid)) == set(
                re.findall(r"%\(\w+\)s", entry.msgstr)
            ), entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language):
    folder = CATALOGUES / language / "LC_MESSAGES"
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.pofile(str(folder / "django.po"))
        if e.translated()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.mofile(str(folder / "django.mo"))
    }
    compiled = {key: value for key, value in compiled.items() if key[1]}  # not the header
    assert compiled == source, f"recompile {language}: polib's save_as_mofile or compilemessages"

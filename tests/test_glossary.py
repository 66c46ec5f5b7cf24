"""One term per concept (``docs/glossary.md``): where a source string uses a checked English
term, its Norwegian translation uses the glossary's Norwegian term."""

import re
from pathlib import Path

import polib
from django.conf import settings

GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def checked_terms() -> list[tuple[str, str]]:
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[4] == "checked":
            terms.append((cells[1], cells[2]))
    return terms


#: Placeholders, code and markup: ``%(county)s`` is a name and ``<code>?county=</code>``
#: an identifier, not the word "county".
NOT_WORDS = re.compile(r"%\(\w+\)s|\{\w+\}|<code>.*?</code>|<[^>]+>", re.DOTALL)


def mismatches(english: str, norwegian: str, entries) -> list[str]:
    # A whole word, singular or plural ("proposal", "proposals"), any case.
    pattern = re.compile(rf"\b{re.escape(english)}(s|es)?\b", re.IGNORECASE)
    found = []
    for entry in entries:
        sources = [NOT_WORDS.sub(" ", entry.msgid), NOT_WORDS.sub(" ", entry.msgid_plural or "")]
        targets = [entry.msgstr, *entry.msgstr_plural.values()]
        # The Norwegian cell may give the inflected forms: "resultater / resultatene".
        forms = [form.strip().lower() for form in norwegian.split(" / ")]
        if any(pattern.search(source) for source in sources) and not any(
            form in target.lower() for target in targets for form in forms
        ):
            found.append(f"{entry.msgid!r} -> {entry.msgstr or entry.msgstr_plural!r}")
    return found


def test_the_glossary_lists_checked_terms():
    terms = dict(checked_terms())
    assert terms["dashboard"] == "statistikk"
    assert terms["history"] == "endringslogg"


def test_translations_use_the_glossarys_terms():
    entries = [entry for entry in polib.pofile(str(PO)) if entry.translated()]
    problems = {
        f"{english} -> {norwegian}": found
        for english, norwegian in checked_terms()
        if (found := mismatches(english, norwegian, entries))
    }
    assert not problems, problems


def test_the_check_finds_a_stray_term():
    entry = polib.POEntry(msgid="Open the dashboard", msgstr="Åpne oversikten")
    assert mismatches("dashboard", "statistikk", [entry])
    entry.msgstr = "Åpne statistikken"
    assert not mismatches("dashboard", "statistikk", [entry])

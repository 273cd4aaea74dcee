"""The message catalogues: every text the code uses is translated in all four languages, and
the compile step turns them into what Django reads.

The catalogues are found wherever they are (`<app>/locale/<lang>/LC_MESSAGES/django.po`), so an
app that adds its own is checked the same way with nothing to register here.
"""

import gettext
import os
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from assistant.core.translations import (
    LANGUAGES,
    PLURAL_FORMS,
    catalogues_check,
    catalogues_compile,
    catalogues_find,
    catalogues_update,
    locale_dirs_find,
    messages_extract,
    placeholders,
)


def test_every_message_the_code_uses_is_translated_in_all_four_catalogues():
    assert catalogues_check() == []


def test_the_check_sees_every_app_catalogue_and_the_code_that_uses_them():
    """A guard on the check itself: it would pass vacuously if it found nothing."""
    apps = {path.parent.name for path in locale_dirs_find()}
    assert {"users", "sms", "integrations", "monitoring"} <= apps
    assert len(catalogues_find()) == 4 * len(apps)
    found = {message.msgid for message in messages_extract()}
    assert "Reset your TDAH Assistant password" in found  # Python
    assert "Hello %(name)s," in found  # a template's {% blocktranslate %}
    assert "You can close this window and go back to the assistant." in found  # {% translate %}


def test_the_compiled_catalogues_are_what_django_reads():
    for language, expected in [("fr", "Réinitialise"), ("es", "Restablece"), ("pt", "Redefina")]:
        with translation.override(language):
            assert _("Reset your TDAH Assistant password").startswith(expected)


def test_placeholders_are_named_positional_or_braced_and_a_double_percent_is_none():
    assert placeholders("In %(minutes)d min: %(title)s at {time}, %s, 100%%") == [
        "%(minutes)d",
        "%(title)s",
        "%s",
        "{time}",
    ]


# --- The check and the compile step on a small project of their own -------------------------

_EN = "Hello %(name)s"


def _project(tmp_path: Path, code: str) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "texts.py").write_text(f"from django.utils.translation import gettext, ngettext\n{code}\n")
    return app


def _po(app: Path, language: str, body: str, *, plural_forms: str | None = None) -> Path:
    path = app / "locale" / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        f'"Language: {language}\\n"\n"Plural-Forms: {plural_forms or PLURAL_FORMS[language]}\\n"\n\n'
    )
    path.write_text(header + body, encoding="utf-8")
    return path


def _translated(app: Path, strings: dict[str, str]) -> None:
    for language in LANGUAGES:
        _po(app, language, f'msgid "{_EN}"\nmsgstr "{strings.get(language, _EN)}"\n')


def test_a_complete_project_passes(tmp_path):
    app = _project(tmp_path, f'gettext("{_EN}")')
    _translated(app, {"fr": "Bonjour %(name)s", "es": "Hola %(name)s", "pt": "Oi %(name)s"})

    assert catalogues_check(root=tmp_path) == []


@pytest.mark.parametrize(
    ("fr", "problem"),
    [
        ('msgstr ""', "is not translated"),
        ('msgstr "Bonjour"', "has placeholders [], not ['%(name)s']"),
        ('msgstr "Bonjour %(nom)s"', "has placeholders ['%(nom)s']"),
        ('msgstr "Bonjour %(name)d"', "has placeholders ['%(name)d']"),
    ],
)
def test_an_untranslated_or_misplaced_text_is_named(tmp_path, fr, problem):
    app = _project(tmp_path, f'gettext("{_EN}")')
    _translated(app, {})
    _po(app, "fr", f'msgid "{_EN}"\n{fr}\n')

    (found,) = catalogues_check(root=tmp_path)

    assert found.startswith("app/locale/fr/LC_MESSAGES/django.po: 'Hello %(name)s'")
    assert problem in found


def test_a_fuzzy_entry_a_wrong_plural_header_and_a_missing_plural_form_are_named(tmp_path):
    app = _project(tmp_path, 'ngettext("%(n)d day", "%(n)d days", 2)')
    for language in LANGUAGES:
        _po(
            app,
            language,
            'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d d"\nmsgstr[1] "%(n)d d"\n',
        )
    _po(
        app,
        "es",
        '#, fuzzy\nmsgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d d"\nmsgstr[1] "%(n)d d"\n',
    )
    _po(app, "pt", 'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d dia"\n')
    _po(
        app,
        "fr",
        'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d j"\nmsgstr[1] "%(n)d j"\n',
        plural_forms="nplurals=2; plural=(n != 1);",
    )

    problems = catalogues_check(root=tmp_path)

    assert "app/locale/es/LC_MESSAGES/django.po: '%(n)d day' is marked fuzzy" in problems
    assert any(p.startswith("app/locale/pt/LC_MESSAGES/django.po: '%(n)d day'") for p in problems)
    assert any(p.startswith("app/locale/fr/LC_MESSAGES/django.po: Plural-Forms is") for p in problems)


def test_a_text_missing_from_a_catalogue_a_stale_one_and_a_missing_language_are_named(tmp_path):
    app = _project(tmp_path, f'gettext("{_EN}")\ngettext("New text")')
    _translated(app, {})
    _po(app, "es", f'msgid "{_EN}"\nmsgstr "Hola %(name)s"\nmsgid "Old text"\nmsgstr "Texto viejo"\n')
    (app / "locale" / "pt" / "LC_MESSAGES" / "django.po").unlink()

    problems = catalogues_check(root=tmp_path)

    assert "app/locale/en/LC_MESSAGES/django.po lacks 'New text' (app/texts.py)" in problems
    assert "app/locale/es/LC_MESSAGES/django.po keeps 'Old text', which the code no longer uses" in problems
    assert "app/locale/pt/LC_MESSAGES/django.po is missing" in problems


def test_a_text_in_an_app_without_catalogues_is_named(tmp_path):
    _project(tmp_path, 'gettext("Orphan")')

    assert catalogues_check(root=tmp_path) == [
        "app/texts.py:2: 'Orphan' has no locale/ folder in its app to go in"
    ]


def test_update_writes_the_four_catalogues_keeping_translations_and_dropping_stale_ones(tmp_path):
    app = _project(tmp_path, f'gettext("{_EN}")\nngettext("%(n)d day", "%(n)d days", 2)')
    _po(app, "fr", f'msgid "{_EN}"\nmsgstr "Bonjour %(name)s"\nmsgid "Old"\nmsgstr "Vieux"\n')

    catalogues_update(app_dir=app, root=tmp_path)

    french = (app / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()
    assert 'msgstr "Bonjour %(name)s"' in french
    assert "Old" not in french
    assert 'msgid_plural "%(n)d days"\nmsgstr[0] ""\nmsgstr[1] ""' in french
    english = (app / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert (
        'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d day"\nmsgstr[1] "%(n)d days"'
        in english
    )
    # What is left to do is exactly the translations: nothing else is wrong.
    assert sorted(catalogues_check(root=tmp_path)) == [
        f"app/locale/{language}/LC_MESSAGES/django.po: {text!r} is not translated"
        for language, text in [
            ("es", "%(n)d day"),
            ("es", _EN),
            ("fr", "%(n)d day"),
            ("pt", "%(n)d day"),
            ("pt", _EN),
        ]
    ]


def test_compiling_writes_a_mo_for_each_stale_po_without_fuzzy_entries(tmp_path):
    app = _project(tmp_path, "")
    po = _po(app, "fr", 'msgid "Yes"\nmsgstr "Oui"\n\n#, fuzzy\nmsgid "No"\nmsgstr "Non"\n')
    mo = po.with_suffix(".mo")

    assert catalogues_compile(root=tmp_path) == [mo]
    with mo.open("rb") as compiled:
        french = gettext.GNUTranslations(compiled)
    assert (french.gettext("Yes"), french.gettext("No")) == ("Oui", "No")

    assert catalogues_compile(root=tmp_path) == []  # up to date: nothing to do
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert catalogues_compile(root=tmp_path) == [mo]  # the .po changed since


def test_compiling_never_reads_a_virtualenv_or_hidden_folder(tmp_path):
    for hidden in [".venv", "node_modules"]:
        _po(tmp_path / hidden / "django", "fr", 'msgid "Yes"\nmsgstr "Oui"\n')

    assert catalogues_compile(root=tmp_path) == []


def test_a_broken_catalogue_stops_the_compile_step(tmp_path):
    app = _project(tmp_path, "")
    _po(app, "fr", 'msgid "Yes"\nmsgid "No"\nmsgstr "Oui"\n')

    with pytest.raises(ValueError, match=r"fr/LC_MESSAGES/django.po: missing msgstr"):
        catalogues_compile(root=tmp_path)

"""The message catalogues: find them, compile them, and extract what the code asks for.

Each app keeps its texts in `<app>/locale/<lang>/LC_MESSAGES/django.po` (Django finds them for
installed apps). Compiling needs only Python (Babel), not GNU gettext's msgfmt, so a fresh
machine can build them:

    python -m assistant.core.translations                 # compile every stale .po into .mo
    python -m assistant.core.translations --force         # compile them all
    python -m assistant.core.translations update assistant/chat   # (re)write an app's catalogues
    python -m assistant.core.translations check           # what tests/test_translations.py checks

`update` extracts the app's messages (Python and templates) and writes its four catalogues:
translations already there are kept, new messages come in with an empty msgstr (the English
catalogue gets the msgid itself), and messages the code no longer uses are dropped.
"""

import argparse
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "fr", "es", "pt")
SOURCE_LANGUAGE = "en"
# Every catalogue of a language carries this header (Brazilian Portuguese: 0 and 1 are singular).
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "pt": "nplurals=2; plural=(n > 1);",
}
# Django's translation functions (and `_` for an alias), with the arguments that are messages.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
TEMPLATE_SUFFIXES = {".html", ".txt"}
# Never searched: virtualenvs and other hidden folders (a virtualenv holds Django's own
# catalogues), caches, collected static files, migrations, and tests (their strings are no
# one's texts).
_SKIPPED_DIRS = {"node_modules", "__pycache__", "staticfiles", "tests", "migrations"}


@dataclass(frozen=True)
class Message:
    """One translatable text the code uses, and where."""

    msgid: str
    plural: str | None
    context: str | None
    path: Path
    lineno: int

    @property
    def key(self) -> tuple[str, str | None]:
        """How a catalogue looks it up (Babel's key: the msgid, with the context if any)."""
        return self.msgid, self.context


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_DIRS)
        yield Path(dirpath), sorted(filenames)


def catalogues_find(*, root: Path = ROOT) -> list[Path]:
    """Every `locale/<lang>/LC_MESSAGES/django.po` under root."""
    return [
        directory / name
        for directory, filenames in _walk(root)
        if directory.name == "LC_MESSAGES" and directory.parents[1].name == "locale"
        for name in filenames
        if name == "django.po"
    ]


def locale_dirs_find(*, root: Path = ROOT) -> list[Path]:
    """Every `locale/` folder under root that holds catalogues."""
    return sorted({path.parents[2] for path in catalogues_find(root=root)})


def catalogue_read(path: Path) -> Catalog:
    """A .po file's catalogue; a malformed one is an error that names it."""
    with path.open("rb") as po:
        try:
            return read_po(po, locale=path.parents[1].name, abort_invalid=True)
        except PoFileError as error:
            raise ValueError(f"{path}: {error}") from None


def catalogues_compile(*, root: Path = ROOT, force: bool = False) -> list[Path]:
    """Write the .mo beside each .po that has none or an older one; returns the .mo written.

    Fuzzy entries are left out, as msgfmt does."""
    written = []
    for po_path in catalogues_find(root=root):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        buffer = io.BytesIO()
        write_mo(buffer, catalogue_read(po_path))
        # Written whole then renamed: a process reading it never sees half a file.
        partial = mo_path.with_suffix(".mo.partial")
        partial.write_bytes(buffer.getvalue())
        partial.replace(mo_path)
        written.append(mo_path)
    return written


def _template_source(path: Path) -> bytes:
    """A Django template as the Python-like source of its translation tags."""
    from django.utils.translation.template import templatize

    return templatize(path.read_text(encoding="utf-8"), origin=str(path)).encode()


def _source_files(root: Path) -> Iterator[tuple[Path, str]]:
    for directory, filenames in _walk(root):
        in_templates = "templates" in directory.relative_to(root).parts
        for name in filenames:
            path = directory / name
            if path.suffix == ".py" and not name.startswith("test_") and name != "conftest.py":
                yield path, "python"
            elif in_templates and path.suffix in TEMPLATE_SUFFIXES:
                yield path, "template"


def messages_extract(*, root: Path = ROOT) -> list[Message]:
    """Every translatable text in the Python code and templates under root."""
    found = []
    for path, kind in _source_files(root):
        source = path.read_bytes() if kind == "python" else _template_source(path)
        for lineno, text, _comments, context in extract("python", io.BytesIO(source), keywords=KEYWORDS):
            msgid, plural = (text[0], text[1]) if isinstance(text, tuple) else (text, None)
            found.append(Message(msgid, plural, context, path, lineno))
    return found


def catalogue_owner(path: Path, *, root: Path = ROOT) -> Path | None:
    """The folder whose locale/ holds a source file's texts: its nearest ancestor with one."""
    for directory in path.parents:
        if (directory / "locale").is_dir():
            return directory
        if directory == root:
            return None
    return None


def catalogues_update(*, app_dir: Path, root: Path = ROOT) -> list[Path]:
    """Rewrite an app's four catalogues from its code (see the module's docstring)."""
    messages = messages_extract(root=app_dir)
    written = []
    for language in LANGUAGES:
        path = app_dir / "locale" / language / "LC_MESSAGES" / "django.po"
        old = catalogue_read(path) if path.exists() else Catalog(locale=language)
        catalog = Catalog(
            locale=language,
            header_comment=(
                f"# The {app_dir.name} app's texts in {language}: translate each msgstr.\n"
                f"# python -m assistant.core.translations update {app_dir.relative_to(root).as_posix()}\n"
                "# brings in the code's new messages and drops those it no longer uses."
            ),
            project="TDAH Assistant",
            version="1",
            creation_date=old.creation_date,
            revision_date=old.creation_date,
            msgid_bugs_address="",
            last_translator="TDAH Assistant",
            language_team=language,
            fuzzy=False,
        )
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
        for message in messages:
            # No line numbers are written (include_lineno=False below): 0 stands for none.
            location = (message.path.relative_to(root).as_posix(), 0)
            if (existing := catalog.get(message.msgid, message.context)) is not None:
                existing.locations.append(location)
                continue
            previous = old.get(message.msgid, message.context)
            msgid = (message.msgid, message.plural) if message.plural else message.msgid
            if previous is not None and previous.string:
                string = previous.string
            elif language == SOURCE_LANGUAGE:
                string = msgid
            else:
                string = ("",) * catalog.num_plurals if message.plural else ""
            catalog.add(msgid, string, locations=[location], context=message.context)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, width=0, include_lineno=False)
        written.append(path)
    return written


# %(name)s with its conversion, a positional %s / %d, or a {name} / {} of str.format.
_PLACEHOLDER = re.compile(r"%\(\w+\)[#0+-]*\d*(?:\.\d+)?[a-zA-Z]|%[#0+-]*\d*(?:\.\d+)?[a-zA-Z]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    """The substitutions a text expects, sorted ('%%' is a literal percent sign, not one)."""
    return sorted(match.group(0) for match in _PLACEHOLDER.finditer(text.replace("%%", "")))


def _forms(text: str | Sequence[str] | None) -> list[str]:
    """A catalogue entry's id or string as its forms: one, or one per plural form ('' if absent)."""
    if text is None or isinstance(text, str):
        return [text or ""]
    return list(text)


def _catalogue_problems(catalog: Catalog, language: str) -> list[str]:
    problems = []
    if catalog.plural_forms != PLURAL_FORMS[language]:
        problems.append(f"Plural-Forms is {catalog.plural_forms!r}, not {PLURAL_FORMS[language]!r}")
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _forms(message.id), _forms(message.string)
        label = repr(ids[0])
        if message.fuzzy:
            problems.append(f"{label} is marked fuzzy")
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(f"{label} has {len(strings)} plural forms, not {catalog.num_plurals}")
        if not all(strings):
            problems.append(f"{label} is not translated")
            continue
        expected = sorted(set().union(*(placeholders(text) for text in ids)))
        for string in strings:
            if sorted(set(placeholders(string))) != expected:
                problems.append(
                    f"{label}: {string!r} has placeholders {placeholders(string)}, not {expected}"
                )
    return problems


def catalogues_check(*, root: Path = ROOT) -> list[str]:
    """What is wrong with the catalogues under root, as sentences; [] when nothing is.

    Each folder with a locale/ has a complete catalogue in every language (translated, no fuzzy
    entry, every plural form, the language's Plural-Forms, the msgid's placeholders), holding
    every message the code under that folder uses (Python and templates) and no other."""
    problems = []
    used: dict[Path, dict[tuple[str, str | None], Message]] = {}
    for message in messages_extract(root=root):
        owner = catalogue_owner(message.path, root=root)
        where = f"{message.path.relative_to(root)}:{message.lineno}"
        if owner is None:
            problems.append(f"{where}: {message.msgid!r} has no locale/ folder in its app to go in")
            continue
        used.setdefault(owner, {})[message.key] = message
    for owner in sorted({path.parent for path in locale_dirs_find(root=root)} | set(used)):
        messages = used.get(owner, {})
        for language in LANGUAGES:
            path = owner / "locale" / language / "LC_MESSAGES" / "django.po"
            name = path.relative_to(root)
            if not path.exists():
                problems.append(f"{name} is missing")
                continue
            catalog = catalogue_read(path)
            problems += [f"{name}: {problem}" for problem in _catalogue_problems(catalog, language)]
            for key, message in messages.items():
                entry = catalog.get(*key)
                if entry is None:
                    problems.append(f"{name} lacks {message.msgid!r} ({message.path.relative_to(root)})")
                elif entry.pluralizable != (message.plural is not None) or (
                    entry.pluralizable and entry.id[1] != message.plural
                ):
                    problems.append(f"{name}: {message.msgid!r} differs in its plural from the code's")
            for entry in catalog:
                if (
                    entry.id
                    and (entry.id[0] if entry.pluralizable else entry.id, entry.context) not in messages
                ):
                    problems.append(f"{name} keeps {entry.id!r}, which the code no longer uses")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.core.translations", description=__doc__)
    parser.add_argument("action", nargs="?", choices=["compile", "update", "check"], default="compile")
    parser.add_argument("apps", nargs="*", type=Path, help="update: the app folders to rewrite")
    parser.add_argument("--force", action="store_true", help="compile: every catalogue, stale or not")
    args = parser.parse_args(argv)
    if args.action == "check":
        _setup_django()
        problems = catalogues_check()
        sys.stdout.writelines(f"{problem}\n" for problem in problems)
        return 1 if problems else 0
    if args.action == "update":
        if not args.apps:
            parser.error("update needs the app folders, e.g. assistant/chat")
        _setup_django()
        paths = [path for app in args.apps for path in catalogues_update(app_dir=app.resolve())]
    else:
        paths = catalogues_compile(force=args.force)
    for path in paths:
        sys.stdout.write(f"{args.action}d {path.relative_to(ROOT)}\n")
    return 0


def _setup_django() -> None:
    """Templates are read with Django's template engine, which needs settings."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()


if __name__ == "__main__":
    sys.exit(main())

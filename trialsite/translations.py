"""The interface's translations without GNU gettext: messages extracted from the code and
templates into each app's `locale/<language>/LC_MESSAGES/django.po`, and compiled to the
`.mo` files Django reads, both with Babel (pure Python, pinned in requirements.txt), so a
fresh machine needs no system package (docs/translating.md).

One catalogue per app keeps helpers' merges small: an app's Python files, and the templates
in its folder under templates/ (templates/standards/ belongs to screening). Every other
template (base, home, login, access log) belongs to the project package, trialsite.
Migrations are not extracted: a model's verbose names there are history, not the interface.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("trialsite", "criteria", "screening")
# Template folders under templates/ owned by an app other than the one of the same name.
TEMPLATE_OWNERS = {"criteria": "criteria", "screening": "screening", "standards": "screening"}
# The languages that have catalogues: the source strings are English, so English needs none.
TRANSLATED = ("da",)
DOMAIN = "django"
# The names Django's makemessages gives xgettext: (1, "c") is a message context.
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
# Kept from one update to the next, so a catalogue's header never changes on its own.
_FIXED_DATE = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
_HEADER = "# TrialSite's interface in this language: docs/translating.md says how to update it.\n#"


def catalogue_path(app: str, language: str, suffix: str = "po") -> Path:
    return BASE_DIR / app / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def source_files(app: str) -> Iterator[Path]:
    """The files whose marked strings belong in `app`'s catalogue, sorted."""
    python = (
        path
        for path in (BASE_DIR / app).rglob("*.py")
        if "migrations" not in path.relative_to(BASE_DIR).parts
    )
    templates = (
        path
        for pattern in ("*.html", "*.jinja")
        for path in (BASE_DIR / "templates").rglob(pattern)
        if _template_owner(path) == app
    )
    yield from sorted([*python, *templates])


def _template_owner(path: Path) -> str:
    parts = path.relative_to(BASE_DIR / "templates").parts
    return TEMPLATE_OWNERS.get(parts[0], "trialsite") if len(parts) > 1 else "trialsite"


def extracted(app: str) -> Catalog:
    """Every message marked in `app`'s code and templates, as a template catalogue."""
    catalog = Catalog(domain=DOMAIN, project="TrialSite", creation_date=_FIXED_DATE, fuzzy=False)
    for path in source_files(app):
        where = str(path.relative_to(BASE_DIR))
        for lineno, message, comments, context in _messages_in(path):
            catalog.add(
                message, locations=[(where, lineno)], auto_comments=comments, context=context
            )
    return catalog


def _messages_in(path: Path) -> Iterator[tuple]:
    text = path.read_text(encoding="utf-8")
    options = {"encoding": "utf-8"}
    if path.suffix == ".jinja":  # the Jinja2 templates' `_()` and `ngettext()`, by Jinja2's reader
        fileobj = io.BytesIO(text.encode("utf-8"))
        yield from extract("jinja2.ext:babel_extract", fileobj, keywords=KEYWORDS, options=options)
        return
    if path.suffix == ".html":
        # What makemessages does: Django turns the template into Python-like text whose
        # gettext()/ngettext()/pgettext() calls carry the {% translate %} and
        # {% blocktranslate %} messages, read below like any Python file.
        from django.utils.translation.template import templatize

        # Its lines keep the template's indentation, which Python's tokenizer refuses;
        # each message is on one line (repr), so dropping the indentation loses nothing.
        text = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).split("\n"))
    fileobj = io.BytesIO(text.encode("utf-8"))
    yield from extract(
        "python", fileobj, keywords=KEYWORDS, comment_tags=("Translators:",), options=options
    )


def update(app: str, language: str) -> list[str]:
    """Bring `app`'s catalogue for `language` up to date with the code: new messages added
    untranslated, translations kept, messages no longer in the code dropped. Never guesses a
    translation from a similar message (no fuzzy matching). Returns the untranslated msgids."""
    template = extracted(app)
    path = catalogue_path(app, language)
    if path.exists():
        with path.open("rb") as existing:
            catalog = read_po(existing, locale=language, domain=DOMAIN, abort_invalid=True)
    else:
        catalog = Catalog(
            locale=language,
            domain=DOMAIN,
            header_comment=_HEADER,
            project="TrialSite",
            creation_date=_FIXED_DATE,
            revision_date=_FIXED_DATE,
            fuzzy=False,
        )
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    _write(path, buffer.getvalue())
    return [_msgid(message.id) for message in catalog if message.id and not message.string]


def _msgid(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def compile_all(*, only_stale: bool = False) -> list[Path]:
    """Compile every app's `.po` into the `.mo` Django reads; with only_stale, only those
    older than their `.po`. Fuzzy entries are left out, as msgfmt does. Returns what it wrote."""
    written = []
    for app in APPS:
        for po in sorted((BASE_DIR / app / "locale").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            mo = po.with_suffix(".mo")
            if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as source:
                catalog = read_po(source, abort_invalid=True)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            _write(mo, buffer.getvalue())
            written.append(mo)
    return written


def _write(path: Path, content: bytes) -> None:
    """Replace the file whole (a half-written .mo would break every page of that language)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def main(argv: list[str]) -> int:
    """`python -m trialsite.translations compile|update`: no settings needed, so `make test`
    runs it before any .env or secret key exists."""
    if argv not in (["compile"], ["update"]):
        print("usage: python -m trialsite.translations compile|update", file=sys.stderr)
        return 2
    if argv == ["update"]:
        for app in APPS:
            for language in TRANSLATED:
                missing = update(app, language)
                print(
                    f"{catalogue_path(app, language).relative_to(BASE_DIR)}: "
                    f"{len(missing)} untranslated"
                )
                for msgid in missing:
                    print(f"  {msgid!r}")
    written = compile_all(only_stale=argv == ["compile"])
    print(f"compiled {len(written)} catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

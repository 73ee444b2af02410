"""The screenshots in docs/: each one a page links is there, and each comes from a browser
test through docs/images/manifest.txt, so `make docs-images` can take them again."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
IMAGES = DOCS / "images"
LINK = re.compile(r"\]\((images/[^)\s]+\.png)\)")


def _manifest() -> dict[str, str]:
    rows = (line.split() for line in (IMAGES / "manifest.txt").read_text().splitlines())
    return {doc: shot for shot, doc in (row for row in rows if row and row[0] != "#")}


def _linked() -> set[str]:
    return {m for page in DOCS.glob("*.md") for m in LINK.findall(page.read_text())}


def test_every_linked_screenshot_is_in_docs_images_and_in_the_manifest():
    manifest = _manifest()
    for link in sorted(_linked()):
        name = link.removeprefix("images/")
        assert (IMAGES / name).is_file(), f"{link} is linked but missing"
        assert name in manifest, f"{link} is not in docs/images/manifest.txt"


def test_every_image_in_docs_images_is_linked_from_a_page():
    linked = {link.removeprefix("images/") for link in _linked()}
    assert {p.name for p in IMAGES.glob("*.png")} <= linked

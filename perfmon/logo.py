"""The council's logo, as uploaded in the admin: which image it is, and whether perfmon
will show it. Plain functions on the file's bytes; perfmon.models.council keeps them.

The logo is shown in every page's header (an <img>), and drawn on printed reports by
WeasyPrint, which fetches what an SVG links to: so an SVG may hold no scripts, no event
handlers, no DOCTYPE or entities, and link to nothing outside itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

MAX_BYTES = 512 * 1024
TYPES = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_LINK_ATTRIBUTES = re.compile(r"(^|})(href|src)$")


class LogoRefused(ValueError):
    """The file cannot be the logo; the message says why, for the person uploading it."""


def check_size(size: int) -> None:
    """Refuse a file too big to be the logo (before reading it). Raises LogoRefused."""
    if size > MAX_BYTES:
        raise LogoRefused(
            f"The logo is {size // 1024:,} KB: perfmon takes logos of up to "
            f"{MAX_BYTES // 1024} KB. Save it smaller, or as an SVG."
        )


def logo_type(data: bytes) -> str:
    """The logo's media type ("image/png", "image/jpeg" or "image/svg+xml"), read from
    its bytes (not its name). Raises LogoRefused."""
    if not data:
        raise LogoRefused("The file is empty.")
    check_size(len(data))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if b"<svg" in data[:4096]:
        _check_svg(data)
        return TYPES["svg"]
    raise LogoRefused("The logo must be a PNG, JPEG or SVG image.")


def _check_svg(data: bytes) -> None:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise LogoRefused("The SVG declares a DOCTYPE or entities: save it without them.")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise LogoRefused(f"The SVG cannot be read ({error}).") from error
    if root.tag != f"{SVG_NAMESPACE}svg":
        raise LogoRefused("The file is not an SVG image (its first element is not <svg>).")
    for element in root.iter():
        name = element.tag.rpartition("}")[2].lower()
        if name in {"script", "foreignobject"}:
            raise LogoRefused(f"The SVG holds a <{name}> element: save it without.")
        for attribute, value in element.attrib.items():
            if attribute.rpartition("}")[2].lower().startswith("on"):
                raise LogoRefused(f"The SVG has an event handler ({attribute}): save it without.")
            if _LINK_ATTRIBUTES.search(attribute) and not value.startswith(("#", "data:")):
                raise LogoRefused(
                    f"The SVG links to {value[:60]!r}: a logo must hold everything it shows."
                )

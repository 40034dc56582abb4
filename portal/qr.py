"""QR codes drawn as inline SVG: no image files, no scripts, no CDN."""

import re

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe


def qr_svg(text: str):
    """`text` as an inline SVG QR code, as wide as its container."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Without its fixed size in mm the drawing scales to the slip (the viewBox keeps it square).
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg aria-hidden="true"', svg, count=1)
    return mark_safe(svg)  # markup qrcode generated from a link or secret we built

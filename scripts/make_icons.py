"""Draw Relais' icons: the SVG mark, the PNGs of the web app manifest and favicon.ico.

The mark: a dot passing an arrow on, in white on the app's accent colour
(--accent in static/css/relais.css): what an ambassador does with a post.
One geometry makes both the SVG and the PNGs, so they cannot drift apart.
The files are committed (advocacy/static/icons/); run this again only to
change the drawing: python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = "#1d6b57"
WHITE = "#ffffff"
SIZE = 512  # the drawing's own units; every output is scaled from them
CORNER = 96  # rounded corners of the ordinary icon (a maskable one is cut by the system)
OVERSAMPLE = 4  # drawn larger, then reduced: smooth edges without an SVG renderer

OUT = Path(__file__).resolve().parents[1] / "advocacy" / "static" / "icons"


def mark(scale: float) -> tuple[tuple[float, float, float], list[tuple[float, float]]]:
    """The dot (x, y, radius) and the arrow's outline, scaled about the centre.

    A maskable icon keeps its mark inside the middle 80 % circle, which every
    platform's mask leaves visible: it is drawn at 0.8.
    """

    def point(x: float, y: float) -> tuple[float, float]:
        return (SIZE / 2 + (x - SIZE / 2) * scale, SIZE / 2 + (y - SIZE / 2) * scale)

    cx, cy = point(150, 256)
    arrow = [point(x, y) for x, y in [(222, 226), (318, 226), (318, 160), (420, 256),
                                      (318, 352), (318, 286), (222, 286)]]
    return (cx, cy, 54 * scale), arrow


def svg(maskable: bool = False) -> str:
    (cx, cy, r), arrow = mark(0.8 if maskable else 1.0)
    corner = 0 if maskable else CORNER
    points = " ".join(f"{x:g},{y:g}" for x, y in arrow)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
            f'<rect width="{SIZE}" height="{SIZE}" rx="{corner}" fill="{ACCENT}"/>'
            f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{WHITE}"/>'
            f'<polygon points="{points}" fill="{WHITE}"/></svg>\n')


def png(pixels: int, maskable: bool = False, corner: bool = True) -> Image.Image:
    k = pixels * OVERSAMPLE / SIZE
    image = Image.new("RGBA", (pixels * OVERSAMPLE,) * 2, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = 0 if maskable or not corner else CORNER * k
    draw.rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius=radius, fill=ACCENT)
    (cx, cy, r), arrow = mark(0.8 if maskable else 1.0)
    draw.ellipse(((cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k), fill=WHITE)
    draw.polygon([(x * k, y * k) for x, y in arrow], fill=WHITE)
    return image.resize((pixels, pixels), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "relais.svg").write_text(svg(), "utf-8")
    png(192).save(OUT / "icon-192.png", optimize=True)
    png(512).save(OUT / "icon-512.png", optimize=True)
    png(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black: a full square.
    png(180, corner=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    png(256).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()

"""Draw the demo catalog's product images (run once; the PNGs are committed).

Usage: python assets/catalog/make_images.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
SIZE = (640, 360)

# (top colour, bottom colour, motif) per product id.
PRODUCTS = {
    "movie-night": ((22, 27, 61), (120, 40, 90), "film"),
    "series-pass": ((10, 60, 80), (30, 140, 130), "stack"),
    "game-coins": ((70, 40, 10), (200, 140, 20), "coins"),
    "live-concert": ((40, 10, 60), (220, 60, 90), "stage"),
    "thank-you-tip": ((20, 70, 40), (90, 180, 100), "heart"),
}


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A vertical two-colour gradient."""
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(SIZE[1]):
        t = y / (SIZE[1] - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (SIZE[0], y)], fill=colour)
    return image


def motif(draw: ImageDraw.ImageDraw, kind: str) -> None:
    """A simple white shape that hints at the product."""
    white = (255, 255, 255)
    if kind == "film":
        draw.rounded_rectangle((200, 90, 440, 270), radius=16, outline=white, width=10)
        for x in range(215, 430, 40):
            draw.rectangle((x, 100, x + 18, 116), fill=white)
            draw.rectangle((x, 244, x + 18, 260), fill=white)
        draw.polygon([(295, 145), (295, 215), (355, 180)], fill=white)
    elif kind == "stack":
        for i in range(3):
            offset = i * 22
            draw.rounded_rectangle(
                (220 + offset, 90 + offset, 420 + offset, 210 + offset),
                radius=12,
                outline=white,
                width=8,
            )
    elif kind == "coins":
        for cx, cy in ((260, 200), (320, 160), (380, 200)):
            draw.ellipse((cx - 50, cy - 50, cx + 50, cy + 50), outline=white, width=10)
            draw.ellipse((cx - 20, cy - 20, cx + 20, cy + 20), fill=white)
    elif kind == "stage":
        draw.polygon([(180, 290), (460, 290), (400, 230), (240, 230)], fill=white)
        for x in (250, 320, 390):
            draw.line([(x, 60), (x + (320 - x) // 2, 230)], fill=white, width=6)
    else:
        draw.ellipse((250, 110, 330, 190), fill=white)
        draw.ellipse((310, 110, 390, 190), fill=white)
        draw.polygon([(254, 168), (386, 168), (320, 260)], fill=white)


def main() -> None:
    """Write one PNG per product."""
    for name, (top, bottom, kind) in PRODUCTS.items():
        image = gradient(top, bottom)
        motif(ImageDraw.Draw(image), kind)
        image.save(HERE / f"{name}.png", optimize=True)


if __name__ == "__main__":
    main()

"""Draw the demo posts' featured images (demo/images/<slug>.jpg) with Pillow: a flat
illustration per post, made of gradients and shapes, nothing downloaded. `manage.py load_demo`
gives each demo post its image through the site's one upload path (blog/uploads.py), with the
alt text from the post's front matter.

    .venv/bin/python scripts/draw_demo_images.py     # writes demo/images/*.jpg again

They are JPEGs of 960 × 600: the upload path re-encodes a JPEG in milliseconds and makes one
rendition of it, so loading the demo (which the tests do often) stays quick.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "demo" / "images"
WIDTH, HEIGHT = 1200, 750  # the drawing's coordinates
SIZE = (960, 600)  # the file's
SCALE = 2  # drawn twice as large, then scaled down: smooth edges

PALETTES = {
    "cooking": ("#f7e2c6", "#eaa46c", "#5a2e14"),
    "gardening": ("#e4f1d6", "#a9d08f", "#4a3421"),
    "money": ("#e1f0ea", "#92c4b6", "#1f4d44"),
    "travel": ("#cfe5f4", "#f6cfa4", "#30475e"),
    "technology": ("#e3e6f8", "#a7b1e6", "#27305c"),
}


def s(*values):
    return [round(v * SCALE) for v in values]


def gradient(top, bottom):
    top, bottom = (Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in (top, bottom))
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT * SCALE):
        t = y / (HEIGHT * SCALE - 1)
        draw.line(
            [(0, y), (WIDTH * SCALE, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def circle(draw, x, y, r, fill, outline=None, width=0):
    draw.ellipse(s(x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width * SCALE)


def rect(draw, x0, y0, x1, y1, fill, radius=0, outline=None, width=0):
    draw.rounded_rectangle(
        s(x0, y0, x1, y1), radius * SCALE, fill=fill, outline=outline, width=width * SCALE
    )


def polygon(draw, points, fill):
    draw.polygon([tuple(s(x, y)) for x, y in points], fill=fill)


def rotated(cx, cy, w, h, degrees):
    a = math.radians(degrees)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [
        (cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
        for x, y in corners
    ]


def leaf(draw, x, y, length, degrees, fill):
    a = math.radians(degrees)
    points = []
    for i in range(21):
        t = i / 20
        along, across = length * t, length * 0.28 * math.sin(math.pi * t)
        points.append(
            (
                x + along * math.cos(a) - across * math.sin(a),
                y + along * math.sin(a) + across * math.cos(a),
            )
        )
    for i in range(20, -1, -1):
        t = i / 20
        along, across = length * t, -length * 0.28 * math.sin(math.pi * t)
        points.append(
            (
                x + along * math.cos(a) - across * math.sin(a),
                y + along * math.sin(a) + across * math.cos(a),
            )
        )
    polygon(draw, points, fill)


def hills(draw, base, amplitude, phase, fill):
    points = [(0, HEIGHT)]
    for x in range(0, WIDTH + 1, 20):
        points.append(
            (
                x,
                base
                - amplitude * math.sin(x / 190 + phase)
                - amplitude * 0.4 * math.sin(x / 70 + phase),
            )
        )
    points.append((WIDTH, HEIGHT))
    polygon(draw, points, fill)


def steam(draw, x, y, colour):
    for dx in (-40, 0, 40):
        points = [(x + dx + 14 * math.sin(i / 4), y - i * 6) for i in range(20)]
        draw.line(
            [tuple(s(px, py)) for px, py in points], fill=colour, width=7 * SCALE, joint="curve"
        )


# Motifs ---------------------------------------------------------------------------------------


def jars(draw, ink):
    rect(draw, 200, 600, 1000, 620, ink, 6)
    for x, colour in ((380, "#c8452f"), (600, "#6f9a3c"), (820, "#e2b33c")):
        rect(draw, x - 95, 330, x + 95, 600, "#f4efe6", 30)
        rect(draw, x - 80, 370, x + 80, 585, colour, 22)
        rect(draw, x - 85, 290, x + 85, 335, ink, 10)
        rect(draw, x - 55, 430, x + 55, 490, "#fbf8f2", 6)


def pot(draw, ink):
    steam(draw, 600, 260, "#fbf1e4")
    rect(draw, 360, 330, 840, 600, ink, 40)
    rect(draw, 300, 370, 370, 400, ink, 12)
    rect(draw, 830, 370, 900, 400, ink, 12)
    rect(draw, 340, 310, 860, 345, "#7a4327", 14)
    rect(draw, 570, 285, 630, 315, "#7a4327", 10)
    for x in range(420, 800, 70):
        circle(draw, x, 480, 18, "#c98b52")
    rect(draw, 250, 615, 950, 640, "#3c2010", 8)


def skillet(draw, ink):
    polygon(draw, rotated(905, 420, 330, 54, -12), ink)
    circle(draw, 560, 460, 235, ink)
    circle(draw, 560, 460, 195, "#4d2a17")
    circle(draw, 520, 440, 55, "#f4d35e")
    circle(draw, 520, 440, 25, "#f08c2e")
    circle(draw, 640, 500, 48, "#f6efe2")
    circle(draw, 655, 492, 22, "#f4b63e")
    for x, y in ((480, 560), (610, 380), (680, 580)):
        leaf(draw, x, y, 60, -30, "#5f8f3a")


def tomato_plant(draw, ink):
    polygon(draw, [(450, 470), (750, 470), (710, 670), (490, 670)], "#c0643a")
    rect(draw, 430, 450, 770, 490, "#a9512c", 8)
    for x, top in ((600, 110), (540, 200), (665, 180)):
        draw.line([tuple(s(600, 455)), tuple(s(x, top))], fill="#3d7a2b", width=10 * SCALE)
    for x, y, angle in (
        (545, 260, 200),
        (600, 200, -30),
        (660, 300, -20),
        (560, 360, 190),
        (640, 150, 210),
    ):
        leaf(draw, x, y, 95, angle, "#4f9a3a")
    for x, y, r in ((590, 300, 42), (650, 240, 36), (540, 230, 34), (620, 380, 40), (700, 330, 30)):
        circle(draw, x, y, r, "#d8432e")
        leaf(draw, x - 10, y - r + 4, 24, -20, "#2f6b22")


def seedlings(draw, ink):
    hills(draw, 560, 12, 0.5, "#6b4a2f")
    for x in range(170, 1100, 170):
        draw.line([tuple(s(x, 560)), tuple(s(x, 450))], fill="#3d7a2b", width=9 * SCALE)
        leaf(draw, x, 470, 85, -150, "#5aa344")
        leaf(draw, x, 470, 85, -30, "#5aa344")
        circle(draw, x - 40, 600, 9, "#e7c891")
        circle(draw, x + 35, 615, 8, "#e7c891")


def train(draw, ink):
    circle(draw, 930, 200, 80, "#fbe3b0")
    hills(draw, 470, 40, 1.2, "#8fb08a")
    hills(draw, 540, 30, 3.0, "#6c9a6a")
    rect(draw, 0, 610, WIDTH, 622, ink)
    for x in range(0, WIDTH, 48):
        rect(draw, x, 622, x + 24, 640, "#7b6a58")
    rect(draw, 160, 450, 980, 590, "#b4412f", 36)
    rect(draw, 160, 450, 980, 470, "#8e3122", 10)
    for x in range(220, 900, 110):
        rect(draw, x, 490, x + 80, 540, "#e9f2f8", 10)
    for x in (240, 360, 760, 880):
        circle(draw, x, 600, 22, ink)


def bag(draw, ink):
    rect(draw, 500, 230, 700, 300, None, 30, outline=ink, width=22)
    rect(draw, 380, 280, 820, 620, "#d4693a", 44)
    rect(draw, 380, 380, 820, 405, "#b5532a")
    rect(draw, 470, 280, 500, 620, "#b5532a")
    rect(draw, 700, 280, 730, 620, "#b5532a")
    polygon(draw, rotated(880, 430, 80, 110, 14), "#f7efe0")
    circle(draw, 872, 395, 9, ink)
    circle(draw, 440, 645, 18, ink)
    circle(draw, 760, 645, 18, ink)


def coin_stacks(draw, ink):
    for x, count in ((360, 3), (600, 6), (840, 9)):
        for i in range(count):
            y = 620 - i * 34
            draw.ellipse(s(x - 100, y - 30, x + 100, y + 30), fill="#c4922d")
            draw.ellipse(
                s(x - 100, y - 44, x + 100, y + 16),
                fill="#e8bd4a",
                outline="#c4922d",
                width=4 * SCALE,
            )
    leaf(draw, 840, 300, 80, -120, "#3f8a5a")
    leaf(draw, 840, 300, 80, -60, "#3f8a5a")


def budget_sheet(draw, ink):
    polygon(draw, rotated(600, 380, 440, 560, -4), "#fdfbf6")
    for i, width in enumerate((300, 250, 280, 200)):
        y = 250 + i * 80
        polygon(draw, rotated(590 - (300 - width) / 2 + i * 5, y, width, 16, -4), "#9db8ad")
        circle(draw, 420 + i * 6, y + 12, 12, ink)
    pencil = rotated(860, 470, 40, 320, 28)
    polygon(draw, pencil, "#e2b33c")
    a = math.radians(28)
    tip = (860 - 205 * math.sin(a), 470 + 205 * math.cos(a))
    polygon(draw, [pencil[2], pencil[3], tip], ink)
    circle(draw, 330, 600, 60, "#e8bd4a", outline="#c4922d", width=6)


def padlock(draw, ink):
    rect(draw, 470, 170, 730, 460, None, 130, outline=ink, width=46)
    rect(draw, 400, 340, 800, 640, "#e3a93b", 40)
    circle(draw, 600, 460, 36, ink)
    polygon(draw, [(585, 470), (615, 470), (625, 560), (575, 560)], ink)
    for i in range(5):
        circle(draw, 175 + i * 40, 640, 12, "#ffffff")


def photos(draw, ink):
    for cx, cy, angle, sky in (
        (470, 420, -9, "#f2c78f"),
        (730, 400, 7, "#9fc6e6"),
        (600, 450, -1, "#f4a58a"),
    ):
        polygon(draw, rotated(cx, cy, 340, 260, angle), "#ffffff")
        polygon(draw, rotated(cx, cy - 10, 300, 200, angle), sky)
        polygon(
            draw,
            [
                (cx - 130, cy + 80),
                (cx - 40, cy - 20),
                (cx + 40, cy + 60),
                (cx + 90, cy + 10),
                (cx + 140, cy + 80),
            ],
            "#5f8a63",
        )
        circle(draw, cx + 90, cy - 50, 22, "#fff4c9")
    for x, y, r in ((880, 150, 60), (950, 130, 75), (1020, 160, 55)):
        circle(draw, x, y, r, "#ffffff")
    rect(draw, 820, 160, 1075, 215, "#ffffff", 26)


def gift(draw, ink):
    rect(draw, 380, 360, 820, 640, "#c8452f", 14)
    rect(draw, 350, 300, 850, 380, "#a93725", 14)
    rect(draw, 575, 300, 625, 640, "#f1c24b")
    leaf(draw, 600, 300, 150, -150, "#f1c24b")
    leaf(draw, 600, 300, 150, -30, "#f1c24b")
    circle(draw, 600, 300, 26, "#dba734")


def bean_bowl(draw, ink):
    steam(draw, 600, 250, "#fbf1e4")
    draw.chord(s(330, 240, 870, 640), 0, 180, fill=ink)
    draw.ellipse(s(330, 400, 870, 480), fill="#8a4b2a")
    for i in range(22):
        x, y = 380 + (i * 83) % 440, 415 + (i * 37) % 50
        draw.ellipse(s(x, y, x + 34, y + 22), fill="#d9a066" if i % 3 else "#b4713f")
    rect(draw, 470, 630, 730, 650, "#3c2010", 8)


def seed_packet(draw, ink):
    polygon(draw, rotated(560, 390, 330, 440, -6), "#fdfbf6")
    polygon(draw, rotated(556, 350, 250, 230, -6), "#f2d27a")
    for angle in range(0, 360, 45):
        leaf(draw, 556, 350, 75, angle, "#e58a3a")
    circle(draw, 556, 350, 30, "#7a4a25")
    polygon(draw, rotated(566, 530, 230, 26, -6), "#9db08c")
    for i in range(9):
        x, y = 800 + (i * 61) % 190, 560 + (i * 29) % 80
        draw.ellipse(s(x, y, x + 26, y + 16), fill="#6b4a2f")


# slug: (topic palette, motif)
POSTS = {
    "cast-iron-care-demystified": ("cooking", skillet),
    "cooking-in-rental-kitchens": ("cooking", pot),
    "emergency-fund-in-stages": ("money", coin_stacks),
    "europe-by-rail-on-a-budget": ("travel", train),
    "family-photo-backups": ("technology", photos),
    "gifts-for-home-cooks-2023": ("cooking", gift),
    "growing-tomatoes-in-containers": ("gardening", tomato_plant),
    "packing-light-two-week-trip": ("travel", bag),
    "password-managers-intro": ("technology", padlock),
    "planning-a-fall-garden": ("gardening", seedlings),
    "preserving-a-summer-glut": ("cooking", jars),
    "saving-seeds-from-your-garden": ("gardening", seed_packet),
    "the-one-page-budget": ("money", budget_sheet),
    "weeknight-pot-of-beans": ("cooking", bean_bowl),
}


def draw(topic, motif):
    top, bottom, ink = PALETTES[topic]
    image = gradient(top, bottom)
    canvas = ImageDraw.Draw(image)
    circle(canvas, 160, 130, 260, top)  # a soft light behind the scene
    motif(canvas, ink)
    return image.resize(SIZE, Image.Resampling.LANCZOS)


def main():
    OUT.mkdir(exist_ok=True)
    for slug, (topic, motif) in POSTS.items():
        draw(topic, motif).save(OUT / f"{slug}.jpg", "JPEG", quality=90, optimize=True)
        print(f"demo/images/{slug}.jpg")


if __name__ == "__main__":
    main()

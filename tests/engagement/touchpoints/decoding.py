"""Real QR decoders and the damage a poster suffers, for the tests.

zbar (through pyzbar, needs Debian's libzbar0) is the first decoder; OpenCV's
two detectors (the classic one and the ArUco-based one) are the second
opinion. Each damage is a plain function image -> image, deterministic, so a
failure can be looked at: `damage(img).save("x.png")`.
"""
import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

try:
    from pyzbar.pyzbar import ZBarSymbol
    from pyzbar.pyzbar import decode as _zbar_decode
except ImportError as error:  # the Python package is there, the C library is not
    raise ImportError("pyzbar cannot load zbar: install Debian's libzbar0 (apt-get install -y libzbar0); "
                      ".ci/run does this on a fresh machine") from error


def zbar(image: Image.Image) -> list[str]:
    return [symbol.data.decode("utf-8") for symbol in _zbar_decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])]


def opencv(image: Image.Image) -> list[str]:
    """What either OpenCV detector reads (an empty list if neither finds a code)."""
    pixels = np.array(image.convert("L"))
    found = []
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, *_ = detector.detectAndDecode(pixels)
        if text and text not in found:
            found.append(text)
    return found


def png_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def svg_image(data: bytes, pixels: int = 600) -> Image.Image:
    """Rasterise an SVG with cairosvg (Cairo, as a print shop's RIP would), onto white."""
    import cairosvg

    png = cairosvg.svg2png(bytestring=data, output_width=pixels, output_height=pixels, background_color="white")
    return png_image(png)


# -- damage ---------------------------------------------------------------------------------------

def scaled_down(pixels: int):
    def damage(image):
        return image.resize((pixels, pixels), Image.LANCZOS)
    return damage


def blurred(radius_share: float):
    """Gaussian blur with a radius given as a share of the image width (out of focus)."""
    def damage(image):
        return image.filter(ImageFilter.GaussianBlur(image.width * radius_share))
    return damage


def scratched(width_share: float):
    """A dark scratch (or a marker stroke) diagonally across the whole code."""
    def damage(image):
        image = image.copy()
        w = image.width
        ImageDraw.Draw(image).line([(w * 0.02, w * 0.30), (w * 0.98, w * 0.66)], fill=25,
                                   width=max(1, round(w * width_share)))
        return image
    return damage


def rain_streaked(streaks: int, strength: float):
    """Light, slanted streaks of water over the code, `strength` 0..1 how much they wash the print out."""
    def damage(image):
        w = image.width
        mask = Image.new("L", image.size, 0)
        draw = ImageDraw.Draw(mask)
        for x in np.linspace(0.3, 0.7, streaks):
            draw.line([(w * x, 0), (w * (x + 0.06), w)], fill=255, width=max(1, round(w * 0.012)))
        share = np.array(mask, dtype=float) / 255 * strength
        pixels = np.array(image, dtype=float)
        return Image.fromarray((pixels * (1 - share) + 215 * share).astype(np.uint8))
    return damage


def covered(area_share: float):
    """A sticker over part of the data (bottom right, where no finder pattern is)."""
    def damage(image):
        image = image.copy()
        w = image.width
        side = w * 0.8 * math.sqrt(area_share)
        right, bottom = w * 0.86, w * 0.80
        ImageDraw.Draw(image).rectangle([right - side, bottom - side, right, bottom], fill=235)
        return image
    return damage


def photographed(yaw_degrees: float, pitch_degrees: float = 0.0, background: int = 110):
    """The poster seen by a phone camera turned `yaw` degrees sideways and `pitch` up or down.

    A pinhole camera looks at the code's plane from a distance of three code
    widths; the plane is rotated, projected, and drawn on a grey wall.
    """
    def damage(image):
        pixels = np.array(image)
        size = pixels.shape[0]
        yaw, pitch = math.radians(yaw_degrees), math.radians(pitch_degrees)
        corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
        projected = []
        for x, y in corners:
            # rotate about the vertical axis (yaw), then the horizontal one (pitch)
            x1, z1 = x * math.cos(yaw), x * math.sin(yaw)
            y2, z2 = y * math.cos(pitch) - z1 * math.sin(pitch), y * math.sin(pitch) + z1 * math.cos(pitch)
            depth = 3.0 + z2
            projected.append((x1 * 3.0 / depth, y2 * 3.0 / depth))
        out = int(size * 1.4)
        target = np.float32([(out / 2 + u * size, out / 2 + v * size) for u, v in projected])
        source = np.float32([[0, 0], [size, 0], [size, size], [0, size]])
        matrix = cv2.getPerspectiveTransform(source, target)
        warped = cv2.warpPerspective(pixels, matrix, (out, out), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=background)
        return Image.fromarray(warped)
    return damage


def evening_light(image):
    """Uneven light and low contrast: dark on one side, washed out on the other."""
    pixels = np.array(image, dtype=float)
    light = np.linspace(0.45, 0.9, pixels.shape[1])[None, :]
    return Image.fromarray((pixels * light + 30).clip(0, 255).astype(np.uint8))


def jpeg(quality: int):
    def damage(image):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        return Image.open(io.BytesIO(out.getvalue())).convert("L")
    return damage


def combined(*damages):
    def damage(image):
        for step in damages:
            image = step(image)
        return image
    return damage

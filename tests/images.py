"""Real image bytes made with Pillow for upload tests."""

import io

from PIL import Image as PILImage


def png_bytes(width=32, height=24, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(width=32, height=24, color=(30, 30, 200)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()

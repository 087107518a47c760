"""What a PNG of a matplotlib line plot shows. numpy and matplotlib are imported when a test
looks at a plot, not when the suite is collected (each xdist worker collects every file)."""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Curve:
    width: int
    height: int
    colours: int  # distinct pixel values: a blank image has one or two
    span: int  # columns between the first and the last pixel of the blue curve
    middle: float  # the blue curve's mean row: a sine is centred on half the height


def blue_curve(png: bytes) -> Curve:
    """The plot's size and its blue curve (matplotlib's first colour)."""
    import numpy as np
    from matplotlib import image

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = image.imread(io.BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    colours = len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0))
    rows, columns = np.where((pixels[:, :, 2] > 0.6) & (pixels[:, :, 0] < 0.3))
    span = int(columns.max() - columns.min())
    return Curve(int(width), int(height), colours, span, float(rows.mean()))

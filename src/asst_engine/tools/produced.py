"""Files a code-interpreter run produces: a small CSV and the chart drawn from it."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

DATA_CSV = b"month,sales\nJanuary,120\nFebruary,95\nMarch,143\n"
CHART_CODE = (
    "import pandas as pd\nimport matplotlib.pyplot as plt\n"
    "df = pd.DataFrame({'month': ['January', 'February', 'March'], 'sales': [120, 95, 143]})\n"
    "df.to_csv('/mnt/data/data.csv', index=False)\n"
    "df.plot.bar(x='month', y='sales')\nplt.show()"
)


@dataclass(frozen=True)
class OutputFile:
    filename: str
    data: bytes


def chart_png() -> bytes:
    """A valid 2x1 PNG (two RGB pixels): the smallest chart a client can decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)  # width, height, 8-bit RGB
    pixels = zlib.compress(b"\x00" + bytes([31, 119, 180, 255, 127, 14]))  # filter 0, 2 pixels
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )

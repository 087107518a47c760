"""PDF and DOCX files made for tests: a one-page PDF of text lines, a DOCX of paragraphs.

The PDF is written by hand (pypdf reads PDFs; writing text needs a content stream anyway), the
DOCX with python-docx. ``python tests/engine/documents.py`` rewrites the corpus' two binaries.
"""

from __future__ import annotations

import io
from pathlib import Path

CORPUS = Path(__file__).parent.parent / "data" / "knowledge"

CHESS = [
    "Chess openings",
    "The Sicilian Defence answers 1. e4 with c5 and fights for the centre from the flank.",
    "The Queen's Gambit offers a pawn on c4 to gain control of the centre.",
    "Castling early keeps the king safe; a knight fork attacks two pieces at once.",
]
PHOTOSYNTHESIS = [
    "Photosynthesis",
    "Plants turn light, water and carbon dioxide into glucose and oxygen.",
    "The reactions happen in chloroplasts, whose green pigment chlorophyll absorbs red and blue"
    " light.",
    "The Calvin cycle fixes carbon from the air into sugars.",
]


def pdf_bytes(lines: list[str]) -> bytes:
    """A valid one-page PDF showing ``lines`` in Helvetica."""
    text = "".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -16 Td " for line in lines)
    stream = f"BT /F1 11 Tf 50 750 Td {text}ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_bytes(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    (CORPUS / "chess.pdf").write_bytes(pdf_bytes(CHESS))
    (CORPUS / "photosynthesis.docx").write_bytes(docx_bytes(PHOTOSYNTHESIS))

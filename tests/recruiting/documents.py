"""Builders for the real PDF, DOCX and ZIP files the extraction tests feed in."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = A4


def pdf_with_text(draw: list[tuple[float, float, str]], *, font_size: float = 10) -> bytes:
    """A one-page PDF with each string drawn at (x, y)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", font_size)
    for x, y, text in draw:
        pdf.drawString(x, y, text)
    pdf.save()
    return buffer.getvalue()


def two_column_pdf(name: str, left: list[str], right: list[str]) -> bytes:
    """A full-width name, then a sidebar and a main column with different line spacing."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(40, PAGE_HEIGHT - 60, name)
    pdf.setFont("Helvetica", 10)
    for number, line in enumerate(left):
        pdf.drawString(40, PAGE_HEIGHT - 100 - number * 12.5, line)
    for number, line in enumerate(right):
        pdf.drawString(230, PAGE_HEIGHT - 100 - number * 14, line)
    pdf.save()
    return buffer.getvalue()


def pdf_with_hidden_text(visible: str, hidden: str, *, on_dark_background: str = "") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(50, 780, visible)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.drawString(50, 760, hidden)
    if on_dark_background:
        pdf.setFillColorRGB(0.1, 0.1, 0.3)
        pdf.rect(40, 690, 400, 40, fill=1, stroke=0)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.drawString(50, 705, on_dark_background)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Helvetica", 1)
    pdf.drawString(50, 740, "tiny keyword stuffing Kubernetes Kubernetes")
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page holding only a raster image of text, as a scanner produces."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "Jane Doe - Software Engineer - jane@example.com", fill="black")
    image_buffer = io.BytesIO()
    image.save(image_buffer, format="PNG")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    from reportlab.lib.utils import ImageReader

    pdf.drawImage(ImageReader(io.BytesIO(image_buffer.getvalue())), 40, 500, width=500, height=170)
    pdf.save()
    return buffer.getvalue()


def pdf_with_many_pages(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_flate_bomb(expanded_bytes: int) -> bytes:
    """A hand-written PDF whose page content is a FlateDecode stream of `expanded_bytes` spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    compressed = b"".join(compressor.compress(chunk) for _ in range(expanded_bytes // len(chunk))) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length "
        + str(len(compressed)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + compressed
        + b"\nendstream",
    ]
    return _assemble_pdf(objects)


def _assemble_pdf(objects: list[bytes]) -> bytes:
    output = io.BytesIO()
    output.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(output.tell())
        output.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = output.tell()
    output.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        output.write(f"{offset:010d} 00000 n \n".encode())
    output.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return output.getvalue()


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_tables() -> bytes:
    """Paragraph, table, paragraph, layout table: extraction must keep this order."""
    document = docx.Document()
    document.add_paragraph("Jane Doe")
    document.add_paragraph("EXPERIENCE")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(
        table.rows, (("2019 - 2021", "Engineer", "Acme GmbH"), ("2021 - heute", "Lead", "Beta AG")), strict=True
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("EDUCATION")
    layout = document.add_table(rows=1, cols=2)
    sidebar, main = layout.rows[0].cells
    sidebar.text = "Skills"
    sidebar.add_paragraph("Python")
    main.text = "MSc Physics"
    main.add_paragraph("ETH Zürich")
    document.add_paragraph("Thank you for reading")
    return docx_bytes(document)


def docx_with_hidden_text(visible: str, hidden: str, *, shaded_white: str = "") -> bytes:
    document = docx.Document()
    document.add_paragraph(visible)
    run = document.add_paragraph().add_run(hidden)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    tiny = document.add_paragraph().add_run("microscopic text")
    tiny.font.size = Pt(1)
    if shaded_white:
        cell = document.add_table(rows=1, cols=1).rows[0].cells[0]
        white_run = cell.paragraphs[0].add_run(shaded_white)
        white_run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "1F3864")
        cell._tc.get_or_add_tcPr().append(shading)
    return docx_bytes(document)


def docx_zip_bomb(expanded_bytes: int) -> bytes:
    """A DOCX-shaped ZIP whose document.xml inflates to `expanded_bytes` (mostly spaces)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(expanded_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def docx_with_many_members(members: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for number in range(members):
            archive.writestr(f"word/media/{number}.bin", b"")
    return buffer.getvalue()


def png_bytes() -> bytes:
    header = b"\x89PNG\r\n\x1a\n"
    return header + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 17

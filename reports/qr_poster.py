"""A venue's QR code (PNG, SVG) and its printable A4 poster (PDF), one page per venue.

The QR encodes the public declaration URL with the venue's unguessable token, never its id.
Vietnamese text needs a Unicode font: DejaVu Sans from Debian's fonts-dejavu-core by default.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

import segno
from fpdf import FPDF

from queries.venue_registry import PosterVenue

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
INSTRUCTIONS = (
    "Quét mã để khai báo y tế",
    "1. Mở camera hoặc Zalo, quét mã QR.",
    "2. Khai họ tên, số điện thoại và tình trạng sức khỏe.",
    "3. Đưa màn hình xác nhận cho nhân viên tại cửa.",
    "Không có điện thoại thông minh? Nhân viên sẽ khai giúp bạn.",
)


class PosterError(RuntimeError):
    pass


def declaration_url(base_url: str, token: str) -> str:
    """The public URL a venue's QR opens: the declaration page with the venue's token."""
    return f"{base_url.rstrip('/')}/declare?{urlencode({'v': token})}"


def qr_png(url: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=True)
    return buffer.getvalue()


def posters_pdf(venues: Iterable[PosterVenue], base_url: str, font_dir: Path = FONT_DIR) -> bytes:
    """An A4 page per venue: name, address, the QR, short Vietnamese instructions."""
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if not regular.is_file() or not bold.is_file():
        raise PosterError(
            f"the poster font is missing ({regular}); install Debian's fonts-dejavu-core"
        )
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pages = 0
    for venue in venues:
        pages += 1
        url = declaration_url(base_url, venue.token)
        pdf.add_page()
        pdf.set_fill_color(198, 40, 40)
        pdf.rect(0, 0, 210, 28, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("DejaVu", "B", 22)
        pdf.set_xy(10, 8)
        pdf.cell(190, 12, "KHAI BÁO Y TẾ ĐIỆN TỬ", align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(15, 36)
        pdf.set_font("DejaVu", "B", 20)
        pdf.multi_cell(180, 9, venue.name, align="C")
        pdf.set_font("DejaVu", "", 12)
        pdf.set_x(15)
        pdf.multi_cell(180, 6, venue.address, align="C")
        pdf.image(io.BytesIO(qr_png(url, scale=12)), x=45, y=75, w=120, h=120)
        pdf.set_xy(15, 200)
        pdf.set_font("DejaVu", "B", 18)
        pdf.cell(180, 10, INSTRUCTIONS[0], align="C")
        pdf.set_font("DejaVu", "", 12)
        for number, line in enumerate(INSTRUCTIONS[1:]):
            pdf.set_xy(25, 214 + number * 8)
            pdf.cell(160, 7, line)
        pdf.set_xy(15, 280)
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(110, 110, 110)
        pdf.cell(180, 4, f"{venue.venue_ref} · {url}", align="C")
        pdf.set_text_color(0, 0, 0)
    if not pages:
        raise PosterError("no venue to print")
    return bytes(pdf.output())

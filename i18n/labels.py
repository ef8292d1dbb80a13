"""Interface text, Vietnamese first with English. Keys are the one name of each thing."""

from __future__ import annotations

LANGUAGES = ("vi", "en")

LABELS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app.title": ("KBYT — Khai báo y tế TP.HCM", "KBYT — HCMC health declaration"),
    "app.language": ("Ngôn ngữ", "Language"),
    "nav.section.operations": ("Điều hành", "Operations"),
    "nav.section.capture": ("Khai báo", "Declaration"),
    "nav.section.admin": ("Quản trị", "Administration"),
    "page.overview": ("Tổng quan", "Overview"),
    "page.map": ("Bản đồ", "Map"),
    "page.venues": ("Địa điểm", "Venues"),
    "page.risk": ("Ca nguy cơ", "Risk cases"),
    "page.trace": ("Truy vết", "Trace"),
    "page.wall": ("Màn hình điều hành", "Wall screen"),
    "page.declare": ("Khai báo y tế", "Health declaration"),
    "page.admin": ("Quản trị", "Administration"),
    "page.guide": ("Hướng dẫn", "Guide"),
    # shared filters
    "filter.heading": ("Bộ lọc", "Filters"),
    "filter.dates": ("Khoảng ngày", "Date range"),
    "filter.district": ("Quận/Huyện", "District"),
    "filter.ward": ("Phường/Xã", "Ward"),
    "filter.all_districts": ("Toàn thành phố", "Whole city"),
    "filter.all_wards": ("Tất cả phường/xã", "All wards"),
    "filter.bad_param": (
        "Tham số '{name}' trong đường dẫn không hợp lệ ({value}); đã dùng giá trị mặc định.",
        "The link's '{name}' parameter is not valid ({value}); the default is used instead.",
    ),
    "filter.share": (
        "Chia sẻ: sao chép đường dẫn trên trình duyệt.",
        "Share: copy the browser's address.",
    ),
    # start-up
    "setup.creating": ("Đang tạo cơ sở dữ liệu mẫu lần đầu…", "Creating the demo database…"),
    "setup.done": ("Đã tạo thành phố mẫu: {summary}", "Demo city created: {summary}"),
    "setup.config_error": ("Cấu hình không hợp lệ", "Invalid configuration"),
    "setup.db_error": (
        "Không kết nối được cơ sở dữ liệu: {error}",
        "Cannot reach the database: {error}",
    ),
    "setup.schema_old": (
        "Cơ sở dữ liệu chưa được cập nhật (phiên bản {current}, cần {head}). "
        "Chạy: python manage.py init-db",
        "The database schema is out of date (revision {current}, needs {head}). "
        "Run: python manage.py init-db",
    ),
    "common.coming": (
        "Trang này đang được xây dựng ({issue}).",
        "This page is being built ({issue}).",
    ),
    "common.no_data": ("Chưa có dữ liệu cho bộ lọc này.", "No data for this filter yet."),
}


def label(key: str, language: str = "vi", **values: object) -> str:
    """The text for a key in a language (Vietnamese when a translation is missing)."""
    try:
        vi, en = LABELS[key]
    except KeyError:
        return key
    text = en if language == "en" and en else vi
    return text.format(**values) if values else text

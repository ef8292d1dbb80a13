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
    # sign-in and access
    "page.sign_in": ("Đăng nhập", "Sign in"),
    "auth.username": ("Tên đăng nhập", "Username"),
    "auth.password": ("Mật khẩu", "Password"),
    "auth.password_again": ("Nhập lại mật khẩu", "Password again"),
    "auth.sign_in": ("Đăng nhập", "Sign in"),
    "auth.sign_out": ("Đăng xuất", "Sign out"),
    "auth.sso": ("Đăng nhập bằng tài khoản thành phố", "Sign in with the city account"),
    "auth.failed": ("Không đăng nhập được: {reason}", "Could not sign in: {reason}"),
    "auth.required": ("Vui lòng đăng nhập để xem trang này.", "Please sign in to see this page."),
    "auth.forbidden": (
        "Vai trò của bạn không được xem trang này.",
        "Your role may not see this page.",
    ),
    "auth.signed_in_as": ("Đăng nhập: {username} ({role})", "Signed in: {username} ({role})"),
    "auth.first_start": (
        "Lần khởi động đầu tiên: chưa có tài khoản. Nhập mã thiết lập in trên màn hình máy chủ "
        "để tạo quản trị viên đầu tiên.",
        "First start: there are no accounts yet. Enter the setup code printed on the server "
        "console to create the first administrator.",
    ),
    "auth.setup_code": ("Mã thiết lập", "Setup code"),
    "auth.create_admin": ("Tạo quản trị viên", "Create the administrator"),
    "auth.bad_setup_code": ("Mã thiết lập không đúng.", "The setup code is wrong."),
    "auth.passwords_differ": ("Hai mật khẩu không khớp.", "The two passwords differ."),
    "auth.already_set_up": ("Đã có tài khoản; hãy đăng nhập.", "Accounts exist; please sign in."),
    "auth.admin_created": (
        "Đã tạo quản trị viên; hãy đăng nhập.",
        "Administrator created; sign in.",
    ),
    "auth.outside_scope": (
        "Khu vực trong đường dẫn nằm ngoài phạm vi của bạn: không có dữ liệu nào được hiển thị.",
        "The area in the link is outside your scope: nothing is shown.",
    ),
    "role.admin": ("Quản trị", "Administrator"),
    "role.command_centre": ("Trung tâm chỉ huy", "Command centre"),
    "role.leadership": ("Lãnh đạo", "Leadership"),
    "role.district_officer": ("Cán bộ quận/huyện", "District officer"),
    "role.ward_officer": ("Cán bộ phường/xã", "Ward officer"),
    "role.epidemiologist": ("Dịch tễ", "Epidemiologist"),
    "role.venue_staff": ("Nhân viên đơn vị", "Venue staff"),
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

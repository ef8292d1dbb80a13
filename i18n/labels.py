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
    # overview
    "kpi.day": ("Ngày", "Day"),
    "kpi.so_far": (
        "Hôm nay, tính đến {time}: mọi ngày được so sánh trong cùng khoảng giờ (trước {hour}).",
        "Today so far ({time}): every day is compared over the same hours (before {hour}).",
    ),
    "kpi.declarations": ("Lượt khai báo", "Declarations"),
    "kpi.declarations.help": (
        "Số lượt khai báo (quét mã, khai hộ, tại chốt, khai trước, nhập từ hệ thống khác) có "
        "giờ vào trong ngày, trong khu vực đã chọn. So với hôm trước; "
        "trung bình 7 ngày trước: {avg}.",
        "Check-ins (scanned, on behalf, at a checkpoint, in advance, imported) whose time in falls "
        "on the day, in the chosen area. Against the day before; 7-day average before: {avg}.",
    ),
    "kpi.at_risk": ("Khai báo có nguy cơ", "At-risk declarations"),
    "kpi.at_risk.help": (
        "Khai báo có triệu chứng hoặc yếu tố dịch tễ (nguy cơ trung bình hoặc cao). "
        "Tỉ lệ trên tổng lượt khai báo. Trung bình 7 ngày trước: {avg}.",
        "Declarations with a symptom or an exposure (medium or high risk), and their share of "
        "all declarations. 7-day average before: {avg}.",
    ),
    "kpi.rate": ("Tỉ lệ nguy cơ", "Risk rate"),
    "kpi.new_cases": ("Ca mới", "New cases"),
    "kpi.new_cases.help": (
        "Ca nghi ngờ hoặc xác định được ghi nhận trong ngày (theo nơi ở của người bệnh).",
        "Suspected or confirmed cases registered on the day (by the person's home ward).",
    ),
    "kpi.contacts_traced": ("Người tiếp xúc đã truy vết", "Contacts traced"),
    "kpi.contacts_traced.help": (
        "Số người F1/F2 được truy vết trong ngày (theo nơi ở).",
        "People found as F1/F2 by traces run on the day (by home ward).",
    ),
    "kpi.units": (
        "Đơn vị triển khai (y tế / cơ quan, DN)",
        "Units deployed (health / state, firms)",
    ),
    "kpi.units.help": (
        "Đơn vị đã đăng ký mã QR và đang hoạt động: ngành y tế / cơ quan nhà nước và doanh nghiệp. "
        "Thêm {public} địa điểm công cộng.",
        "Registered, active units with a QR code: health sector / state agencies and enterprises. "
        "Plus {public} public places.",
    ),
    "kpi.active_units": ("Đơn vị có khai báo", "Units active"),
    "kpi.active_units.help": (
        "Đơn vị có ít nhất một lượt khai báo trong ngày.",
        "Units with at least one declaration on the day.",
    ),
    "overview.trend": ("Diễn biến theo ngày", "By day"),
    "overview.by_area": (
        "Theo quận/huyện — bấm một dòng để lọc",
        "By district — click a row to filter",
    ),
    "overview.by_ward": ("Theo phường/xã — bấm một dòng để lọc", "By ward — click a row to filter"),
    "overview.report": ("Tải báo cáo ngày (HTML)", "Download the daily report (HTML)"),
    "overview.see_risk": ("Xem danh sách ca nguy cơ", "Open the risk list"),
    "overview.see_map": ("Xem trên bản đồ", "See on the map"),
    "report.title": ("Báo cáo khai báo y tế", "Health declaration report"),
    "report.generated": ("Lập lúc", "Generated at"),
    "report.trend": ("Lượt khai báo theo ngày", "Declarations by day"),
    "column.area": ("Khu vực", "Area"),
    "column.declarations": ("Khai báo", "Declarations"),
    "column.at_risk": ("Nguy cơ", "At risk"),
    "column.rate": ("Tỉ lệ", "Rate"),
    "column.cases": ("Ca bệnh", "Cases"),
    "column.active_units": ("Đơn vị có khai báo", "Active units"),
    "area.city": ("Toàn thành phố", "Whole city"),
    # map
    "map.metric": ("Chỉ số", "Metric"),
    "map.metric.declarations": ("Lượt khai báo", "Declarations"),
    "map.metric.at_risk": ("Khai báo có nguy cơ", "At-risk declarations"),
    "map.metric.risk_rate": ("Tỉ lệ nguy cơ", "Risk rate"),
    "map.metric.cases": ("Ca bệnh", "Cases"),
    "map.density": ("Lớp mật độ khai báo", "Check-in density layer"),
    "map.shapes.boundary_file": (
        "Ranh giới quận/huyện: tệp ranh giới đã cấu hình. Ranh giới phường là ô Voronoi ước lượng "
        "quanh tâm phường, cắt theo quận.",
        "District boundaries: the configured boundary file. Ward shapes are approximate Voronoi "
        "cells around ward centres, clipped to their district.",
    ),
    "map.shapes.voronoi": (
        "Ranh giới ước lượng: ô Voronoi quanh tâm các phường (chưa cấu hình tệp ranh giới).",
        "Approximate shapes: Voronoi cells around ward centres (no boundary file configured).",
    ),
    "map.click": ("Bấm vào một quận để xem các phường.", "Click a district to see its wards."),
    "map.legend": ("Chú giải", "Legend"),
    "map.no_tiles": (
        "Không dùng bản đồ nền (chạy không cần Internet).",
        "No basemap (works offline).",
    ),
    # venues
    "venues.search": ("Tìm địa điểm (tên hoặc mã)", "Find a venue (name or reference)"),
    "venues.results": ("{count} địa điểm — chọn một dòng", "{count} venues — pick a row"),
    "venues.none": ("Không tìm thấy địa điểm nào trong khu vực.", "No venue found in the area."),
    "venues.not_found": (
        "Địa điểm không tồn tại hoặc ngoài phạm vi của bạn.",
        "No such venue in your area.",
    ),
    "venues.details": ("Thông tin", "Details"),
    "venues.kind": ("Loại", "Kind"),
    "venues.sector": ("Khối", "Sector"),
    "venues.address": ("Địa chỉ", "Address"),
    "venues.dwell": ("Thời gian lưu lại mặc định", "Default dwell"),
    "venues.registered": ("Ngày đăng ký", "Registered"),
    "venues.inactive": ("Đã ngừng hoạt động", "Deactivated"),
    "venues.poster": ("Tải áp phích mã QR (PDF)", "Download the QR poster (PDF)"),
    "venues.timeline": ("Lượt khai báo theo thời gian", "Check-ins over time"),
    "venues.bucket": ("Khoảng", "Interval"),
    "venues.bucket.15": ("15 phút", "15 minutes"),
    "venues.bucket.60": ("1 giờ", "1 hour"),
    "venues.case_visits": ("Lượt của ca bệnh", "Case visits"),
    "venues.who": ("Ai đã khai báo tại đây", "Who checked in here"),
    "venues.from": ("Từ", "From"),
    "venues.until": ("Đến", "Until"),
    "venues.page": ("Trang", "Page"),
    "venues.total": (
        "{total:,} lượt khai báo; trang {page}/{pages}",
        "{total:,} check-ins; page {page}/{pages}",
    ),
    "venues.masked": (
        "Họ tên và số điện thoại được che: vai trò của bạn không được xem dữ liệu cá nhân.",
        "Names and phones are masked: your role may not see personal data.",
    ),
    "venues.audited": (
        "Dữ liệu cá nhân: lượt xem và tải xuống được ghi vào nhật ký kiểm tra.",
        "Personal data: views and downloads are written to the audit log.",
    ),
    "venues.export": ("Tải danh sách (CSV)", "Download the list (CSV)"),
    "column.checked_in_at": ("Giờ vào", "Time in"),
    "column.checked_out_at": ("Giờ ra", "Time out"),
    "column.full_name": ("Họ tên", "Name"),
    "column.phone": ("Điện thoại", "Phone"),
    "column.id_number": ("CCCD/CMND", "ID number"),
    "column.channel": ("Hình thức", "Channel"),
    "column.risk_level": ("Mức nguy cơ", "Risk"),
    "column.risk_reasons": ("Lý do", "Reasons"),
    "column.name": ("Tên", "Name"),
    "column.ward": ("Phường/Xã", "Ward"),
    "column.district": ("Quận/Huyện", "District"),
    "column.kind": ("Loại", "Kind"),
    "risk.level.0": ("Không", "None"),
    "risk.level.1": ("Trung bình", "Medium"),
    "risk.level.2": ("Cao", "High"),
    "channel.self": ("Tự khai (QR)", "Self (QR)"),
    "channel.proxy": ("Khai hộ", "On behalf"),
    "channel.staff": ("Tại chốt", "At checkpoint"),
    "channel.advance": ("Khai trước", "In advance"),
    "channel.import": ("Nhập từ hệ thống khác", "Imported"),
    # risk list
    "risk.level": ("Mức nguy cơ", "Risk level"),
    "risk.status": ("Trạng thái theo dõi", "Follow-up status"),
    "risk.any": ("Tất cả", "Any"),
    "risk.total": (
        "{total:,} khai báo có nguy cơ; trang {page}/{pages}",
        "{total:,} at-risk declarations; page {page}/{pages}",
    ),
    "risk.pick": ("Chọn một dòng để theo dõi người đó.", "Pick a row to follow the person up."),
    "risk.history": ("Lịch sử theo dõi", "Follow-up history"),
    "risk.no_history": ("Chưa có bước theo dõi nào.", "No follow-up yet."),
    "risk.next": ("Bước tiếp theo", "Next step"),
    "risk.assignee": ("Người phụ trách", "Assignee"),
    "risk.note": ("Ghi chú", "Note"),
    "risk.save": ("Ghi nhận", "Record"),
    "risk.saved": ("Đã ghi nhận: {status}.", "Recorded: {status}."),
    "risk.closed": ("Đã kết thúc theo dõi (khỏi/loại trừ).", "Follow-up closed (cleared)."),
    "risk.trace": ("Mở trong bảng truy vết", "Open in the trace panel"),
    "risk.export": ("Tải danh sách (CSV)", "Download the list (CSV)"),
    "status.new": ("Mới", "New"),
    "status.contacted": ("Đã liên hệ", "Contacted"),
    "status.tested": ("Đã xét nghiệm", "Tested"),
    "status.isolated": ("Đã cách ly", "Isolated"),
    "status.cleared": ("Kết thúc", "Cleared"),
    "column.status": ("Theo dõi", "Follow-up"),
    "column.venue_name": ("Địa điểm", "Venue"),
    "column.ward_name": ("Phường/Xã", "Ward"),
    "column.assignee": ("Phụ trách", "Assignee"),
    "column.at": ("Lúc", "At"),
    "column.note": ("Ghi chú", "Note"),
    "column.by": ("Người ghi", "By"),
    "reason.open_case": ("đang là ca bệnh", "an open case"),
    "reason.traced_contact": ("là người tiếp xúc đã truy vết", "a traced contact"),
    "reason.exposure:case_contact": (
        "tiếp xúc ca bệnh trong 14 ngày",
        "contact with a case in 14 days",
    ),
    "reason.exposure:lockdown_area": ("đến từ vùng phong tỏa", "from a locked-down area"),
    "reason.exposure:travel_abroad": ("đi nước ngoài về", "back from abroad"),
    "reason.symptom:fever": ("sốt", "fever"),
    "reason.symptom:cough": ("ho", "cough"),
    "reason.symptom:sore_throat": ("đau họng", "sore throat"),
    "reason.symptom:shortness_of_breath": ("khó thở", "shortness of breath"),
    "reason.symptom:loss_of_taste_smell": ("mất vị giác/khứu giác", "loss of taste or smell"),
    "reason.symptom:fatigue": ("mệt mỏi", "fatigue"),
    # wall screen
    "wall.title": ("Trung tâm điều hành — khai báo y tế", "Command centre — health declarations"),
    "wall.today": ("Hôm nay", "Today"),
    "wall.last_hour": ("Trong 1 giờ qua", "In the last hour"),
    "wall.alerts": (
        "Cảnh báo (ca bệnh/người tiếp xúc khai báo)",
        "Alerts (cases or contacts checking in)",
    ),
    "wall.high": ("Khai báo nguy cơ cao", "High-risk declarations"),
    "wall.medium": ("Khai báo nguy cơ trung bình", "Medium-risk declarations"),
    "wall.open_cases": ("Ca bệnh đang theo dõi", "Open cases"),
    "wall.updated": (
        "Cập nhật {time} · tự làm mới mỗi {seconds} giây",
        "Updated {time} · refreshes every {seconds} s",
    ),
    "wall.suppressed": (
        "Số nhỏ hơn {n} được hiển thị là “<{n}” để bảo vệ danh tính.",
        "Counts below {n} show as “<{n}” to protect identities.",
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

"""Interface text, Vietnamese first with English. Keys are the one name of each thing."""

from __future__ import annotations

import re

from i18n.numbers import whole_number

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
    "page.kiosk": ("Khai báo tại chốt", "Checkpoint kiosk"),
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
    "setup.done": (
        "Đã tạo thành phố mẫu: {venues:,} địa điểm, {checkins:,} lượt khai báo, {seconds} giây",
        "Demo city created: {venues:,} venues, {checkins:,} check-ins, {seconds} s",
    ),
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
    "auth.staff": ("Cán bộ", "Staff"),
    "auth.session_help": (
        "Phiên đăng nhập kết thúc sau {idle} phút không dùng, hoặc sau {hours} giờ.",
        "A sign-in ends after {idle} minutes unused, or after {hours} hours.",
    ),
    "auth.signed_out": ("Bạn đã đăng xuất.", "You are signed out."),
    "auth.session_ended": (
        "Phiên đăng nhập đã kết thúc (hết hạn, đã đăng xuất hoặc tài khoản bị khóa). "
        "Vui lòng đăng nhập lại.",
        "Your sign-in has ended (expired, signed out or the account was deactivated). "
        "Please sign in again.",
    ),
    "auth.go_sign_in": ("Đăng nhập", "Sign in"),
    "auth.continue_sso": ("Tiếp tục vào KBYT", "Continue to KBYT"),
    "auth.error.wrong": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "auth.error.inactive": ("Tài khoản này đã bị khóa.", "This account is deactivated."),
    "auth.error.locked": (
        "Sai mật khẩu quá nhiều lần: tài khoản tạm khóa 15 phút.",
        "Too many wrong passwords: the account is locked for 15 minutes.",
    ),
    "auth.error.no_account": (
        "Tài khoản thành phố này chưa có quyền vào KBYT; hãy liên hệ quản trị viên.",
        "This city account has no KBYT access; ask an administrator.",
    ),
    "auth.error.stale": (
        "Biểu mẫu đã hết hạn; vui lòng đăng nhập lại.",
        "The form expired; please sign in again.",
    ),
    "auth.error.address": (
        "Quá nhiều lần đăng nhập sai từ địa chỉ này; vui lòng thử lại sau.",
        "Too many failed sign-ins from this address; try again later.",
    ),
    "auth.error.screen_link": (
        "Đường dẫn màn hình này không hợp lệ hoặc đã bị thu hồi.",
        "This screen link is not valid or was revoked.",
    ),
    "auth.error.ticket": (
        "Đường dẫn đăng nhập đã dùng hoặc đã hết hạn; vui lòng đăng nhập lại.",
        "This sign-in link was used or has expired; please sign in again.",
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
    "kpi.period.day": ("Ngày {day}", "Day {day}"),
    "kpi.period.today": ("Hôm nay {day}, đến {time}", "Today {day}, up to {time}"),
    "kpi.period.days": ("{n} ngày {first}–{last}", "{n} days {first}–{last}"),
    "kpi.period.days_partial": (
        "{n} ngày {first}–{last} (ngày {last} đến {time})",
        "{n} days {first}–{last} ({last} up to {time})",
    ),
    "kpi.against": ("so với {day}", "vs {day}"),
    "kpi.partial_day": ("{label} hôm nay, đến {time}", "{label} today, up to {time}"),
    "kpi.until": ("đến {time}", "to {time}"),
    "kpi.full_day_note": (
        "Mặc định là ngày trọn vẹn gần nhất; hôm nay chưa hết ngày nên không so sánh được.",
        "The last full day is shown by default; today is not over, so it does not compare.",
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
    "overview.suppressed": (
        "Số nhỏ hơn {n} được hiển thị là “<{n}” để bảo vệ danh tính; mức thay đổi và tỉ lệ tính "
        "từ số đó được ẩn (—), và số đó không được vẽ trên biểu đồ.",
        "Counts below {n} show as “<{n}” to protect identities; changes and rates computed from "
        "them are hidden (—), and they are not drawn on the chart.",
    ),
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
    "map.suppressed": (
        "Khu vực màu xám: số liệu nhỏ hơn {n} (hoặc tỉ lệ tính từ số đó), không hiển thị để bảo "
        "vệ danh tính; địa điểm có ít hơn {n} lượt khai báo không có trên lớp mật độ.",
        "Grey areas: the figure is below {n} (or a rate computed from such a count) and is not "
        "shown, to protect identities; venues with fewer than {n} check-ins are left out of the "
        "density layer.",
    ),
    "map.no_tiles": (
        "Không dùng bản đồ nền (chạy không cần Internet).",
        "No basemap (works offline).",
    ),
    # ward hot spots (Map page and wall)
    "hot.layer": ("Lớp điểm nóng theo phường", "Ward hot-spot layer"),
    "hot.window": ("Cửa sổ điểm nóng", "Hot-spot window"),
    "hot.window.1": ("Ngày cuối", "Last day"),
    "hot.window.3": ("3 ngày cuối", "Last 3 days"),
    "hot.heading": ("Điểm nóng theo phường", "Ward hot spots"),
    "hot.method": (
        "Tỉ lệ khai báo có nguy cơ của mỗi phường từ {first} đến {last} so với các phường lân "
        "cận (Getis–Ord Gi*, {permutations:,} hoán vị; {analysed} phường có khai báo). Điểm "
        "nóng: q < {alpha} sau hiệu chỉnh tỉ lệ phát hiện sai (Benjamini–Hochberg).",
        "Each ward's share of at-risk declarations from {first} to {last} against its "
        "neighbours (Getis–Ord Gi*, {permutations:,} permutations; {analysed} wards with "
        "declarations). Hot spot: q < {alpha} after false-discovery-rate correction "
        "(Benjamini–Hochberg).",
    ),
    "hot.none": (
        "Không có phường nào là điểm nóng ({cold} phường là điểm lạnh).",
        "No ward is a hot spot ({cold} wards are cold spots).",
    ),
    "hot.not_computed": (
        "Chưa tính được: cần ít nhất 3 phường có khai báo và tỉ lệ nguy cơ khác nhau.",
        "Not computed: it needs at least 3 wards with declarations and differing at-risk shares.",
    ),
    "hot.cold_count": (
        "{cold} phường là điểm lạnh (tỉ lệ thấp cùng các phường lân cận).",
        "{cold} wards are cold spots (a low share together with their neighbours).",
    ),
    "hot.kind.hot": ("Điểm nóng", "Hot spot"),
    "hot.kind.cold": ("Điểm lạnh", "Cold spot"),
    "hot.column.kind": ("Loại", "Kind"),
    "hot.column.ward": ("Phường/Xã", "Ward"),
    "hot.column.district": ("Quận/Huyện", "District"),
    "hot.column.z": ("Điểm z", "z-score"),
    "hot.column.p": ("Giá trị p", "p-value"),
    "hot.column.q": ("Giá trị q (FDR)", "q-value (FDR)"),
    "hot.wall.title": ("Điểm nóng hôm nay (Gi*)", "Hot spots today (Gi*)"),
    "hot.wall.hot": ("{count} phường: {names}", "{count} wards: {names}"),
    "hot.wall.no_hot": ("Không có phường nào", "No ward"),
    "hot.wall.cold": ("{count} phường điểm lạnh", "{count} cold-spot wards"),
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
    "venues.export_file": ("luot-khai-bao", "checkins"),
    # crowding now (rules/crowding.py; the Venues page and the wall)
    "crowding.title": ("Đông người lúc này", "Crowding now"),
    "crowding.caption": (
        "Địa điểm có lượt khai báo trong 60 phút qua cao bất thường so với chính nó vào giờ này "
        "cùng thứ trong tuần (gấp {factor} lần và thêm ít nhất {margin} lượt), hoặc đạt {share} "
        "sức chứa đã khai báo. Số liệu lúc {time}; không có thông tin cá nhân.",
        "Venues whose check-ins in the last 60 minutes are well above their own usual for this "
        "weekday and hour ({factor} times and at least {margin} more), or reach {share} of "
        "their declared capacity. Figures as of {time}; no personal data.",
    ),
    "crowding.none": (
        "Không có địa điểm nào đông bất thường lúc này.",
        "No venue is unusually crowded now.",
    ),
    "crowding.more": ("và {count} địa điểm khác", "and {count} more"),
    "crowding.reason.above_usual": ("Cao bất thường so với mọi tuần", "Well above its usual"),
    "crowding.reason.capacity_hour": (
        "60 phút qua gần đạt sức chứa",
        "Last 60 minutes near capacity",
    ),
    "crowding.reason.capacity_pace": (
        "15 phút qua: nhịp gần đạt sức chứa",
        "Last 15 minutes: pace near capacity",
    ),
    "column.last_15": ("15 phút qua", "Last 15 min"),
    "column.last_60": ("60 phút qua", "Last 60 min"),
    "column.usual": ("Thường lệ", "Usual"),
    "column.capacity": ("Sức chứa", "Capacity"),
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
    "risk.export_file": ("ca-nguy-co", "risk-list"),
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
    "wall.stale": (
        "Không cập nhật được dữ liệu từ {time}: số liệu trên màn hình này đã cũ. "
        "Tự thử lại sau mỗi {seconds} giây.",
        "The data could not be refreshed since {time}: the figures on this screen are old. "
        "Trying again every {seconds} seconds.",
    ),
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
    "wall.live": ("TRỰC TIẾP · {time}", "LIVE · {time}"),
    "wall.old": ("DỮ LIỆU CŨ · {minutes} phút", "DATA {minutes} MIN OLD"),
    "wall.lost": ("MẤT KẾT NỐI · số liệu lúc {time}", "DISCONNECTED · figures of {time}"),
    "wall.map_legend": ("Lượt khai báo hôm nay", "Declarations today"),
    "wall.map_note.boundary_file": (
        "Phường: ô ước lượng quanh tâm phường.",
        "Wards: approximate cells around ward centres.",
    ),
    "wall.map_note.voronoi": (
        "Ranh giới ước lượng quanh tâm phường.",
        "Approximate shapes around ward centres.",
    ),
    "wall.rotating": ("Lần lượt từng quận", "Rotating through districts"),
    "wall.inset": ("Nội thành", "Inner city"),
    # declaration
    "declare.bad_token": (
        "Mã QR không hợp lệ. Hãy quét lại mã dán tại địa điểm, hoặc hỏi nhân viên.",
        "This QR code is not valid. Scan the code posted at the venue again, or ask the staff.",
    ),
    "declare.inactive": (
        "Địa điểm này đã ngừng nhận khai báo qua mã QR. Hãy hỏi nhân viên tại cửa.",
        "This venue no longer takes declarations by QR code. Ask the staff at the door.",
    ),
    "declare.no_token": (
        "Quét mã QR dán tại địa điểm để khai báo. Xem hướng dẫn để biết cách khai hộ hoặc khai trước.",
        "Scan the QR code posted at the venue to declare. See the guide for declaring for others or in advance.",
    ),
    "declare.at": ("Khai báo tại", "Declaring at"),
    "declare.mode.self": ("Cho bản thân", "For myself"),
    "declare.mode.proxy": ("Khai hộ người thân", "For someone else"),
    "declare.mode.advance": ("Khai trước khi đến", "Before arriving"),
    "declare.mode.staff": ("Khai tại chốt", "At the checkpoint"),
    "declare.mode.confirm": ("Xác nhận mã khai trước", "Confirm an advance code"),
    "declare.full_name": ("Họ và tên", "Full name"),
    "declare.phone": ("Số điện thoại", "Phone"),
    "declare.id_number": ("Số CCCD/CMND (không bắt buộc)", "ID number (optional)"),
    "declare.birth_year": ("Năm sinh (không bắt buộc)", "Birth year (optional)"),
    "declare.home_ward": ("Nơi ở: phường/xã (không bắt buộc)", "Home ward (optional)"),
    "declare.symptoms": (
        "Trong 14 ngày qua, có triệu chứng nào sau đây?",
        "In the last 14 days, any of these symptoms?",
    ),
    "declare.exposures": ("Yếu tố dịch tễ", "Exposures"),
    "symptom.fever": ("Sốt", "Fever"),
    "symptom.cough": ("Ho", "Cough"),
    "symptom.sore_throat": ("Đau họng", "Sore throat"),
    "symptom.shortness_of_breath": ("Khó thở", "Shortness of breath"),
    "symptom.loss_of_taste_smell": ("Mất vị giác hoặc khứu giác", "Loss of taste or smell"),
    "symptom.fatigue": ("Mệt mỏi", "Fatigue"),
    "exposure.case_contact": (
        "Tiếp xúc với ca bệnh trong 14 ngày",
        "Contact with a case in 14 days",
    ),
    "exposure.lockdown_area": ("Đến từ vùng đang phong tỏa", "Coming from a locked-down area"),
    "exposure.travel_abroad": ("Đi nước ngoài về trong 14 ngày", "Back from abroad in 14 days"),
    "declare.declarer": ("Người khai (bạn)", "You (the declarer)"),
    "declare.dependants": ("Số người được khai hộ", "Number of people you declare for"),
    "declare.dependant": ("Người thứ {n}", "Person {n}"),
    "declare.dependant_phone": (
        "Số điện thoại của người này (để trống nếu dùng số của bạn)",
        "This person's phone (empty: yours)",
    ),
    "declare.send": ("Gửi khai báo", "Send the declaration"),
    "declare.next": ("Khai người tiếp theo", "Next person"),
    "declare.fix": ("Vui lòng sửa các mục được đánh dấu.", "Please correct the marked fields."),
    "declare.done": ("Đã khai báo lúc {time}", "Declared at {time}"),
    "declare.risk.0": ("Không có yếu tố nguy cơ. Mời vào.", "No risk factor. Please go in."),
    "declare.risk.1": ("Có yếu tố nguy cơ: {reasons}.", "Risk factors: {reasons}."),
    "declare.risk.2": ("NGUY CƠ CAO: {reasons}.", "HIGH RISK: {reasons}."),
    "declare.alert": (
        "CẢNH BÁO: người này {reasons}. Nhân viên thực hiện ngay quy trình dưới đây.",
        "ALERT: this person is {reasons}. Staff follow the procedure below at once.",
    ),
    "declare.procedure": ("Quy trình của đơn vị", "The unit's procedure"),
    "declare.checkout": ("Báo rời khỏi địa điểm", "Check out"),
    "declare.checkout_link": (
        "Giữ đường dẫn này để báo rời đi sau: {link}",
        "Keep this link to check out later: {link}",
    ),
    "declare.again": ("Khai báo mới", "New declaration"),
    "declare.checked_out": ("Đã ghi nhận giờ ra. Cảm ơn bạn!", "Time out recorded. Thank you!"),
    "declare.checkout_failed": (
        "Không ghi nhận được giờ ra (mã không hợp lệ, đã báo ra, hoặc quá 24 giờ).",
        "Could not record the time out (invalid code, already checked out, or over 24 hours).",
    ),
    "declare.advance_code": ("Mã khai trước của bạn", "Your advance code"),
    "declare.advance_help": (
        "Đưa mã này (hoặc mã QR) cho nhân viên khi đến. Mã có hiệu lực 24 giờ.",
        "Show this code (or the QR) to the staff when you arrive. It is valid for 24 hours.",
    ),
    "declare.code": ("Mã khai trước", "Advance code"),
    "declare.confirm": ("Xác nhận đã đến", "Confirm arrival"),
    "declare.kiosk_venue": ("Địa điểm", "Venue"),
    "declare.no_venue": (
        "Tài khoản chưa được gắn với địa điểm nào.",
        "No venue is attached to this account.",
    ),
    "public.declared": ("Đã khai báo", "Declared"),
    "public.reload": ("Mở lại biểu mẫu", "Open the form again"),
    "public.add_person": ("+ Thêm một người", "+ Add a person"),
    "public.advance_intro": (
        "Khai trước khi đến: bạn nhận một mã; nhân viên xác nhận mã khi bạn đến nơi.",
        "Declare before arriving: you get a code; the staff confirm it when you arrive.",
    ),
    "public.privacy": (
        "Thông tin chỉ dùng cho phòng chống dịch, do cơ quan y tế quản lý và xóa sau thời hạn lưu trữ.",
        "Your answers are used only for disease control, held by the health authorities and deleted after the retention period.",
    ),
    "public.checkout_later": (
        "Báo rời đi sau bằng đường dẫn này:",
        "To check out later, keep this link:",
    ),
    "public.error.no_dependant": (
        "Nhập ít nhất một người được khai hộ.",
        "Enter at least one person you declare for.",
    ),
    "public.error.stale_form": (
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng mở lại biểu mẫu và gửi lại.",
        "The form has expired or is not valid. Please open the form again and send it.",
    ),
    "public.error.bad_form": (
        "Nội dung gửi lên không hợp lệ. Vui lòng mở lại biểu mẫu và gửi lại.",
        "What was sent is not a valid form. Please open the form again and send it.",
    ),
    "public.error.too_many": (
        "Có quá nhiều khai báo trong thời gian ngắn. Vui lòng chờ một phút rồi thử lại.",
        "Too many declarations in a short time. Please wait a minute and try again.",
    ),
    "public.error.busy": (
        "Hệ thống đang bận, chưa lưu được. Vui lòng thử lại sau giây lát.",
        "The system is busy and nothing was saved. Please try again in a moment.",
    ),
    "public.error.unexpected": (
        "Đã có lỗi, chưa lưu được. Vui lòng thử lại; nếu vẫn lỗi, hãy báo nhân viên.",
        "Something went wrong and nothing was saved. Please try again; if it persists, tell the staff.",
    ),
    "public.error.unavailable": (
        "Hệ thống tạm thời chưa sẵn sàng. Vui lòng thử lại sau.",
        "The system is not available right now. Please try again later.",
    ),
    "advance.error.unknown": ("Không tìm thấy mã này.", "No such code."),
    "advance.error.other_venue": (
        "Mã này dành cho địa điểm khác.",
        "This code is for another venue.",
    ),
    "advance.error.used": ("Mã này đã được xác nhận.", "This code was confirmed already."),
    "advance.error.expired": ("Mã đã hết hạn (quá 24 giờ).", "The code has expired (24 hours)."),
    "form.error.full_name": (
        "Nhập họ và tên (ít nhất 2 ký tự, có chữ cái).",
        "Enter the full name (2+ characters, with letters).",
    ),
    "form.error.phone": (
        "Số điện thoại không hợp lệ; ví dụ 0903 123 456 hoặc +84 903 123 456.",
        "Not a valid phone number; e.g. 0903 123 456 or +84 903 123 456.",
    ),
    "form.error.id_number": (
        "Số CCCD có 12 chữ số (CMND cũ: 9).",
        "An ID number has 12 digits (old ones: 9).",
    ),
    "form.error.birth_year": ("Năm sinh không hợp lệ.", "Not a valid birth year."),
    "form.error.ward": ("Phường/xã không có trong danh mục.", "Not a ward of the city."),
    "form.error.answers": ("Câu trả lời không hợp lệ.", "Invalid answers."),
    "form.error.venue_name": (
        "Nhập tên địa điểm (ít nhất 3 ký tự).",
        "Enter the venue's name (3+ characters).",
    ),
    "form.error.sector": ("Chọn khối.", "Choose a sector."),
    "form.error.kind": ("Chọn loại địa điểm.", "Choose a kind of venue."),
    "form.error.address": ("Địa chỉ không hợp lệ.", "Not a valid address."),
    "form.error.coordinates": (
        "Tọa độ phải nằm trong TP.HCM.",
        "The coordinates must be inside the city.",
    ),
    "form.error.dwell": (
        "Thời gian lưu lại từ 1 đến 1440 phút.",
        "Dwell time is 1 to 1440 minutes.",
    ),
    "form.error.capacity": (
        "Sức chứa từ 1 đến 1.000.000 người, hoặc để trống.",
        "Capacity is 1 to 1,000,000 people, or empty.",
    ),
    # administration
    "admin.tab.venues": ("Địa điểm & mã QR", "Venues & QR codes"),
    "admin.tab.imports": ("Nhập dữ liệu", "Imports"),
    "admin.tab.users": ("Tài khoản", "Accounts"),
    "admin.tab.audit": ("Nhật ký truy cập", "Audit log"),
    "admin.tab.retention": ("Lưu trữ", "Retention"),
    "admin.tab.screens": ("Màn hình & phiên", "Screens & sessions"),
    "admin.screens.title": ("Màn hình điều hành", "Wall screens"),
    "admin.screens.help": (
        "Mỗi màn hình có một đường dẫn riêng, chỉ hiện một lần khi tạo: mở nó trên màn hình để "
        "đăng nhập với vai trò trung tâm chỉ huy (chỉ số liệu tổng hợp) trong {days} ngày, kể cả "
        "sau khi máy chủ khởi động lại. Thu hồi để đăng xuất màn hình ngay.",
        "Each screen has a link of its own, shown once when it is made: open it on the screen to "
        "sign it in as the command centre (aggregates only) for {days} days, restarts included. "
        "Revoke it to sign the screen out at once.",
    ),
    "admin.screens.name": ("Tên màn hình", "Screen name"),
    "admin.screens.add": ("Thêm màn hình", "Add a screen"),
    "admin.screens.added": (
        "Đã thêm. Mở đường dẫn dưới đây trên màn hình; nó sẽ không hiện lại.",
        "Added. Open the link below on the screen; it will not be shown again.",
    ),
    "admin.screens.revoke": ("Thu hồi màn hình", "Revoke a screen"),
    "admin.screens.revoked": ("Đã thu hồi {name}.", "Revoked {name}."),
    "admin.sessions.title": ("Phiên đăng nhập đang mở", "Open sessions"),
    "admin.sessions.help": (
        "Một phiên kết thúc sau {idle} phút không dùng hoặc {hours} giờ; đăng xuất hay khóa tài "
        "khoản kết thúc mọi phiên của tài khoản đó.",
        "A session ends after {idle} minutes unused or {hours} hours; signing out or "
        "deactivating an account ends all its sessions.",
    ),
    "admin.sessions.method.password": ("Mật khẩu", "Password"),
    "admin.sessions.method.sso": ("Tài khoản thành phố", "City account"),
    "admin.sessions.method.wall_screen": ("Màn hình", "Wall screen"),
    "column.who": ("Ai", "Who"),
    "column.method": ("Cách đăng nhập", "Method"),
    "column.created_at": ("Tạo lúc", "Created"),
    "column.created_by": ("Người tạo", "Created by"),
    "column.last_seen_at": ("Dùng gần nhất", "Last used"),
    "column.expires_at": ("Hết hạn", "Expires"),
    "column.revoked_at": ("Thu hồi lúc", "Revoked"),
    "column.user_agent": ("Trình duyệt", "Browser"),
    "admin.venue.new": ("Đăng ký địa điểm mới", "Register a new venue"),
    "admin.venue.edit": ("Sửa địa điểm đã chọn", "Edit the chosen venue"),
    "admin.venue.name": ("Tên địa điểm", "Venue name"),
    "admin.venue.sector": ("Khối", "Sector"),
    "admin.venue.kind": ("Loại", "Kind"),
    "admin.venue.ward": ("Phường/Xã", "Ward"),
    "admin.venue.address": ("Địa chỉ", "Address"),
    "admin.venue.lat": ("Vĩ độ", "Latitude"),
    "admin.venue.lon": ("Kinh độ", "Longitude"),
    "admin.venue.dwell": ("Thời gian lưu lại mặc định (phút)", "Default dwell (minutes)"),
    "admin.venue.capacity": ("Sức chứa (số người cùng lúc)", "Capacity (people at once)"),
    "admin.venue.capacity_none": ("Không khai báo", "Not declared"),
    "admin.venue.capacity_help": (
        "Để trống nếu không khai báo. Cảnh báo đông người so sánh lượt khai báo 60 phút qua "
        "với sức chứa này.",
        "Leave empty if not declared. The crowding alert compares the last 60 minutes' "
        "check-ins with it.",
    ),
    "admin.venue.procedure": (
        "Quy trình khi có người nguy cơ (để trống: quy trình chung)",
        "Procedure for risky arrivals (empty: the city's)",
    ),
    "admin.venue.save": ("Lưu", "Save"),
    "admin.venue.created": ("Đã đăng ký {name} ({ref}).", "Registered {name} ({ref})."),
    "admin.venue.saved": ("Đã lưu.", "Saved."),
    "admin.venue.deactivate": ("Ngừng hoạt động", "Deactivate"),
    "admin.venue.activate": ("Hoạt động lại", "Reactivate"),
    "admin.venue.pick": (
        "Tìm và chọn một địa điểm để sửa hoặc in mã QR.",
        "Find and pick a venue to edit or print its QR code.",
    ),
    "admin.qr.png": ("Mã QR (PNG)", "QR code (PNG)"),
    "admin.qr.svg": ("Mã QR (SVG)", "QR code (SVG)"),
    "admin.qr.pdf": ("Áp phích A4 (PDF)", "A4 poster (PDF)"),
    "admin.qr.bulk": (
        "Áp phích cho mọi địa điểm của một quận (PDF)",
        "Posters for every venue of a district (PDF)",
    ),
    "admin.qr.bulk_download": (
        "Tải áp phích của {district} ({count} địa điểm)",
        "Download the posters of {district} ({count} venues)",
    ),
    "sector.health": ("Y tế", "Health"),
    "sector.government": ("Cơ quan nhà nước", "State agency"),
    "sector.enterprise": ("Doanh nghiệp", "Enterprise"),
    "sector.public": ("Nơi công cộng", "Public place"),
    "kind.hospital": ("Bệnh viện", "Hospital"),
    "kind.clinic": ("Phòng khám, trạm y tế", "Clinic"),
    "kind.pharmacy": ("Nhà thuốc", "Pharmacy"),
    "kind.office": ("Cơ quan, văn phòng", "Office"),
    "kind.factory": ("Nhà máy", "Factory"),
    "kind.industrial_zone": ("Khu công nghiệp, khu chế xuất", "Industrial zone"),
    "kind.market": ("Chợ", "Market"),
    "kind.supermarket": ("Siêu thị", "Supermarket"),
    "kind.mall": ("Trung tâm thương mại", "Shopping mall"),
    "kind.shop": ("Cửa hàng", "Shop"),
    "kind.restaurant": ("Nhà hàng, quán ăn", "Restaurant"),
    "kind.school": ("Trường học", "School"),
    "kind.apartment": ("Chung cư", "Apartment block"),
    "kind.station": ("Nhà ga, bến xe", "Station"),
    "kind.bus": ("Xe buýt", "Bus"),
    "kind.other": ("Khác", "Other"),
    "column.sector": ("Khối", "Sector"),
    "action.view": ("Xem", "View"),
    "action.export": ("Tải xuống", "Export"),
    "action.trace": ("Truy vết", "Trace"),
    "action.sign_in": ("Đăng nhập", "Sign-in"),
    "action.sign_in_failed": ("Đăng nhập sai", "Failed sign-in"),
    "action.sign_out": ("Đăng xuất", "Sign-out"),
    "action.setup_code_failed": ("Sai mã thiết lập", "Wrong setup code"),
    "action.create_first_admin": ("Tạo quản trị viên đầu tiên", "First administrator created"),
    "action.wall_screen.add": ("Thêm màn hình", "Screen added"),
    "action.wall_screen.revoke": ("Thu hồi màn hình", "Screen revoked"),
    "action.purge": ("Xóa dữ liệu quá hạn", "Purge"),
    "action.import": ("Nhập dữ liệu", "Import"),
    "action.edit": ("Chỉnh sửa", "Edit"),
    "action.api.checkins": ("API: đọc lượt khai báo", "API: check-ins read"),
    "action.api_key.create": ("Tạo khóa API", "API key created"),
    "action.api_key.revoke": ("Thu hồi khóa API", "API key revoked"),
    # What an audit row is about (queries/audit.py about()). The English sentence is the text
    # the log keeps, word for word as it was always written; values are never names or phones.
    "audit.subject.person": ("Người số {person}", "person {person}"),
    "audit.subject.case": ("Ca bệnh số {case}", "case {case}"),
    "audit.subject.case_picker": ("Tìm ca bệnh: {search}", "case picker: {search}"),
    "audit.subject.case_registered": ("Đăng ký ca bệnh số {case}", "registered case {case}"),
    "audit.subject.trace": (
        "Truy vết người số {person} đến F{depth}, từ {since} đến {until}",
        "person {person} depth {depth} {since}..{until}",
    ),
    "audit.subject.present_at": ("Những người có mặt tại {venue}", "present at {venue}"),
    "audit.subject.contacts_export": (
        "Danh sách người tiếp xúc của người số {person} ({format})",
        "contacts of person {person} ({format})",
    ),
    "audit.subject.fhir_export": (
        "Gói FHIR của ca bệnh số {case} với {contacts} người tiếp xúc",
        "FHIR bundle of case {case} with {contacts} contacts",
    ),
    "audit.subject.checkins_at_venue": (
        "Lượt khai báo tại {venue} từ {since} đến {until}",
        "check-ins at {venue} {since}–{until}",
    ),
    "audit.subject.risk_list": ("Danh sách ca nguy cơ", "risk list"),
    "audit.subject.risk_list_page": (
        "Danh sách ca nguy cơ khu vực {area}, từ {first} đến {last}, trang {page}",
        "risk list {area} {first}..{last} page {page}",
    ),
    "audit.subject.risk_list_page_city": (
        "Danh sách ca nguy cơ toàn thành phố, từ {first} đến {last}, trang {page}",
        "risk list city {first}..{last} page {page}",
    ),
    "audit.subject.follow_up": (
        "Cập nhật theo dõi người số {person}: {status}",
        "follow-up of person {person}: {status}",
    ),
    "audit.subject.user_created": (
        "Tạo tài khoản {username} ({role})",
        "created {role} {username}",
    ),
    "audit.subject.user_deactivated": ("Khóa tài khoản {username}", "deactivated {username}"),
    "audit.subject.venue_registered": ("Đăng ký địa điểm {venue}", "registered venue {venue}"),
    "audit.subject.venue_edited": ("Sửa địa điểm {venue}", "edited venue {venue}"),
    "audit.subject.venue_deactivated": ("Ngừng hoạt động {venue}", "Deactivate {venue}"),
    "audit.subject.venue_reactivated": ("Hoạt động lại {venue}", "Reactivate {venue}"),
    "audit.subject.purge": ("Lượt khai báo trước {cutoff}", "check-ins before {cutoff}"),
    "audit.subject.upload_checkins": ("Lượt khai báo từ tệp {file}", "checkins from {file}"),
    "audit.subject.upload_venues": ("Địa điểm từ tệp {file}", "venues from {file}"),
    "audit.subject.import_checkins_file": (
        "Lượt khai báo từ tệp {file} (nguồn {source})",
        "check-ins from {file} (source {source})",
    ),
    "audit.subject.export_district": (
        "Lượt khai báo của quận/huyện {district}",
        "check-ins of district {district}",
    ),
    "audit.subject.api_checkins": (
        "Lượt khai báo qua API (nguồn {source})",
        "check-ins through the API (source {source})",
    ),
    "audit.subject.api_key_created": (
        "Khóa API {prefix} cho nguồn {source}",
        "API key {prefix} for source {source}",
    ),
    "audit.subject.api_key": ("Khóa API {key}", "API key {key}"),
    "audit.subject.wall_screen": ("Màn hình {name}", "wall screen {name}"),
    "audit.subject.wall_screen_link": ("Đường dẫn của màn hình", "wall screen link"),
    "audit.subject.local_account": ("Tài khoản nội bộ", "local account"),
    "audit.subject.single_sign_on": ("Tài khoản thành phố", "single sign-on"),
    "audit.subject.first_admin": ("Quản trị viên đầu tiên", "first administrator"),
    "audit.subject.sessions_ended": (
        "Kết thúc {count} phiên đăng nhập",
        "{count} session(s) ended",
    ),
    "audit.subject.sign_in_failed.wrong": ("Sai tên đăng nhập hoặc mật khẩu", "wrong"),
    "audit.subject.sign_in_failed.inactive": ("Tài khoản đã bị khóa", "inactive"),
    "audit.subject.sign_in_failed.locked": ("Tạm khóa vì nhập sai nhiều lần", "locked"),
    "audit.subject.sign_in_failed.no_account": ("Không có tài khoản KBYT", "no_account"),
    "column.line": ("Dòng", "Line"),
    "column.reason": ("Lý do", "Reason"),
    "column.raw": ("Nội dung dòng", "Row as read"),
    "column.checkin_id": ("Số lượt khai báo", "Check-in no."),
    "column.person_id": ("Số người", "Person no."),
    "admin.users.create": ("Tạo tài khoản", "Create an account"),
    "admin.users.role": ("Vai trò", "Role"),
    "admin.users.district": ("Quận/Huyện (cán bộ quận)", "District (district officers)"),
    "admin.users.ward": ("Phường/Xã (cán bộ phường)", "Ward (ward officers)"),
    "admin.users.venue": (
        "Mã địa điểm venue_ref (nhân viên đơn vị)",
        "Venue reference (venue staff)",
    ),
    "admin.users.created": ("Đã tạo tài khoản {username}.", "Created {username}."),
    "admin.users.deactivate": ("Khóa tài khoản", "Deactivate account"),
    "admin.users.deactivated": ("Đã khóa {username}.", "Deactivated {username}."),
    "admin.audit.user": ("Người dùng", "User"),
    "admin.audit.action": ("Hành động", "Action"),
    "admin.audit.any_action": ("Mọi hành động", "Any action"),
    "admin.choose": ("Chọn…", "Choose…"),
    "admin.audit.count": (
        "{count} bản ghi (mới nhất trước, tối đa 500).",
        "{count} records (newest first, at most 500).",
    ),
    "admin.retention.setting": (
        "Khai báo cũ hơn {days} ngày được xóa; số liệu tổng hợp theo giờ được giữ lại.",
        "Check-ins older than {days} days are deleted; the hourly rollups are kept.",
    ),
    "admin.retention.confirm": (
        "Tôi hiểu việc xóa không thể hoàn tác",
        "I understand deleting cannot be undone",
    ),
    "admin.retention.run": ("Xóa dữ liệu quá hạn ngay", "Purge now"),
    "admin.retention.done": (
        "Đã xóa {checkins:,} lượt khai báo và {people:,} người không còn liên quan.",
        "Deleted {checkins:,} check-ins and {people:,} people no longer referred to.",
    ),
    "column.username": ("Tài khoản", "Username"),
    "column.role": ("Vai trò", "Role"),
    "column.district_code": ("Quận", "District"),
    "column.ward_code": ("Phường", "Ward"),
    "column.venue_id": ("Địa điểm", "Venue"),
    "column.active": ("Hoạt động", "Active"),
    "column.last_login_at": ("Đăng nhập gần nhất", "Last sign-in"),
    "column.action": ("Hành động", "Action"),
    "column.subject": ("Nội dung", "What"),
    "column.case_id": ("Ca số", "Case no."),
    "column.onset_date": ("Ngày khởi phát", "Onset"),
    "column.test_date": ("Ngày xét nghiệm", "Test date"),
    "column.isolated_at": ("Cách ly lúc", "Isolated at"),
    "column.purpose": ("Mục đích", "Purpose"),
    "column.row_count": ("Số dòng", "Rows"),
    # guide
    "guide.residents": ("Cho người dân", "For residents"),
    "guide.units": ("Cho đơn vị", "For venues"),
    "guide.residents.body": (
        """**Khai báo khi đến**
1. Mở camera hoặc Zalo và quét mã QR dán ở cửa.
2. Chọn **Cho bản thân**, nhập họ tên và số điện thoại, đánh dấu triệu chứng hoặc yếu tố dịch tễ nếu có.
3. Bấm **Gửi khai báo** và đưa màn hình xác nhận cho nhân viên.
4. Khi rời đi, bấm **Báo rời khỏi địa điểm** (hoặc mở lại đường dẫn báo rời đi trong 24 giờ).

**Khai hộ người không có điện thoại thông minh** (ông bà, trẻ nhỏ, hàng xóm)
- Chọn **Khai hộ người thân**, nhập thông tin của bạn rồi điền cho từng người (bấm **+ Thêm một người** khi cần). Mỗi người có lượt khai báo riêng; nếu họ không có điện thoại, hệ thống dùng số của bạn.

**Khai trước khi đến** (tránh xếp hàng ở chốt)
- Chọn **Khai trước khi đến**, gửi khai báo và giữ mã (8 ký tự hoặc mã QR). Khi đến, đưa mã cho nhân viên; mã có hiệu lực 24 giờ.

Thông tin của bạn chỉ dùng để truy vết khi có ca bệnh, được xóa sau {days} ngày và mọi lượt xem đều được ghi nhật ký.""",
        """**Declaring when you arrive**
1. Open the camera or Zalo and scan the QR code at the door.
2. Choose **For myself**, enter your name and phone, tick any symptom or exposure.
3. Press **Send the declaration** and show the confirmation to the staff.
4. When you leave, press **Check out** (or open the check-out link within 24 hours).

**For someone without a smartphone** (grandparents, children, neighbours)
- Choose **For someone else**, enter your details, then each person's answers (**+ Add a person** when you need more). Each gets a check-in of their own; without a phone, yours is used.

**Before arriving** (no queue at the checkpoint)
- Choose **Before arriving**, send it and keep the code (8 characters or the QR). Show it to the staff when you arrive; it is valid for 24 hours.

Your details are used only to trace contacts of a case, are deleted after {days} days, and every view of them is logged.""",
    ),
    "guide.units.body": (
        """**In áp phích mã QR**
- Quản trị viên (hoặc nhân viên đơn vị ở trang **Địa điểm**) tải **Áp phích A4 (PDF)** và dán ở mọi lối vào. Mã chứa một khóa bí mật của địa điểm, không đoán được; khi địa điểm ngừng hoạt động, mã cũ báo rõ cho người quét.

**Khai tại chốt (kiosk)**
- Nhân viên đăng nhập, mở **Khai báo y tế**: trang tự chuyển sang chế độ **Khai tại chốt** cho địa điểm của bạn. Nhập từng người, bấm gửi; biểu mẫu trống lại cho người tiếp theo.
- Người đã khai trước: chọn **Xác nhận mã khai trước** và nhập mã; giờ vào là lúc xác nhận.

**Khi có người nguy cơ**
- Màn hình xác nhận hiện màu vàng (nguy cơ trung bình) hoặc đỏ (nguy cơ cao) kèm lý do, và **Quy trình của đơn vị**.
- Màn hình **CẢNH BÁO** nghĩa là người này đang là ca bệnh hoặc người tiếp xúc đã truy vết: thực hiện ngay quy trình; trung tâm điều hành được báo tự động.
- Quy trình chung: {procedure}""",
        """**Printing the QR poster**
- An administrator (or venue staff on the **Venues** page) downloads the **A4 poster (PDF)** and puts it at every entrance. The code carries the venue's secret, unguessable token; once a venue is deactivated, its old code says so to whoever scans it.

**Running the checkpoint kiosk**
- Staff sign in and open **Health declaration**: the page switches to **At the checkpoint** for your venue. Enter each person and send; the form empties for the next one.
- People who declared in advance: choose **Confirm an advance code** and type the code; the time in is the moment of confirmation.

**When a risky person arrives**
- The confirmation turns amber (medium risk) or red (high risk) with the reasons, and shows **The unit's procedure**.
- An **ALERT** means the person is an open case or a traced contact: follow the procedure at once; the command centre is told automatically.
- The city's procedure: {procedure}""",
    ),
    # trace panel
    "trace.find": (
        "Tìm ca bệnh (mã ca, số điện thoại hoặc họ tên)",
        "Find a case (case id, phone or name)",
    ),
    "trace.pick": ("Chọn một ca để truy vết.", "Pick a case to trace."),
    "trace.no_cases": ("Không có ca bệnh nào khớp.", "No case matches."),
    "trace.not_a_case": (
        "{name} chưa là ca bệnh. Ghi nhận ca (nghi ngờ hoặc xác định) để truy vết.",
        "{name} is not a case yet. Register a case (suspected or confirmed) to trace.",
    ),
    "trace.register": ("Ghi nhận ca bệnh mới", "Register a new case"),
    "trace.status": ("Phân loại", "Status"),
    "trace.status.suspected": ("Nghi ngờ", "Suspected"),
    "trace.status.confirmed": ("Xác định", "Confirmed"),
    "trace.status.cleared": ("Đã loại trừ", "Cleared"),
    "trace.onset": ("Ngày khởi phát", "Onset date"),
    "trace.test_date": ("Ngày xét nghiệm", "Test date"),
    "trace.isolated": ("Đã cách ly", "Isolated"),
    "trace.isolated_at": ("Cách ly lúc", "Isolated at"),
    "trace.no_dates": (
        "Ca bệnh cần ngày khởi phát hoặc ngày xét nghiệm.",
        "A case needs an onset or a test date.",
    ),
    "trace.registered": ("Đã ghi nhận ca số {case_id}.", "Registered case {case_id}."),
    "trace.person_not_found": ("Không tìm thấy người này: {reason}", "No such person: {reason}"),
    "trace.case": ("Ca số {case_id}: {name}", "Case {case_id}: {name}"),
    "trace.purpose": (
        "Mục đích truy vết (bắt buộc, được ghi nhật ký)",
        "Purpose of this trace (required, audited)",
    ),
    "trace.purpose_missing": (
        "Nêu mục đích truy vết (ít nhất 10 ký tự): mọi lần truy vết gắn với một ca bệnh và một mục đích.",
        "State the purpose (10+ characters): every trace is bound to a case and a purpose.",
    ),
    "trace.depth": ("Mức truy vết", "Depth"),
    "trace.depth.1": ("F1", "F1"),
    "trace.depth.2": ("F1 và F2", "F1 and F2"),
    "trace.rules": (
        "Tham số (mặc định theo cấu hình)",
        "Parameters (defaults from the configuration)",
    ),
    "trace.buffer": (
        "Khoảng đệm quanh lượt của ca (phút)",
        "Buffer around the case's visits (minutes)",
    ),
    "trace.min_overlap": ("Thời gian trùng tối thiểu (phút)", "Minimum overlap (minutes)"),
    "trace.lookback": ("Số ngày truy ngược", "Look-back days"),
    "trace.run": ("Truy vết", "Trace"),
    "trace.window": ("Khoảng truy vết: {since} → {until}", "Window: {since} → {until}"),
    "trace.progress": ("Đang truy vết {message}…", "Tracing {message}…"),
    "trace.visits": ("Các địa điểm ca đã đến ({count})", "Places the case visited ({count})"),
    "trace.no_visits": (
        "Không có lượt khai báo nào trong khoảng truy vết.",
        "No check-in in the window.",
    ),
    "trace.contacts": ("Người tiếp xúc: {f1:,} F1, {f2:,} F2", "Contacts: {f1:,} F1, {f2:,} F2"),
    "trace.f2_pending": ("Đang tính F2…", "Computing F2…"),
    "trace.pick_visit": (
        "Chọn một địa điểm để xem ai có mặt.",
        "Pick a place to see who was there.",
    ),
    "trace.present": ("Có mặt tại {venue} ({count} người)", "Present at {venue} ({count} people)"),
    "trace.the_case": ("Ca bệnh", "The case"),
    "trace.open_case": ("Hoặc chọn ca trong danh sách", "Or choose a case from the list"),
    "trace.open": ("Mở ca", "Open"),
    "trace.other_case": ("Chọn ca khác", "Choose another case"),
    "trace.place": ("Xem ai có mặt tại", "See who was at"),
    "trace.follow_who": ("Chọn người tiếp xúc", "Choose a contact"),
    "trace.follow_hint": (
        "Bấm vào một dòng (hoặc chọn trong danh sách dưới) để xem nơi người đó đã đến và "
        "người tiếp xúc của họ.",
        "Click a row (or choose below) to see where that person went and whom they met.",
    ),
    "trace.back": ("Quay lại", "Back"),
    "trace.breadcrumb": ("Đường truy vết", "Trail"),
    "trace.export_csv": ("Tải danh sách tiếp xúc (CSV)", "Download contacts (CSV)"),
    "trace.export_xlsx": ("Tải danh sách tiếp xúc (XLSX)", "Download contacts (XLSX)"),
    "trace.export_fhir": ("Tải gói FHIR (JSON)", "Download FHIR (JSON)"),
    "trace.page": ("Trang danh sách", "List page"),
    "trace.who_case": ("ca số {case_id} {name}", "case {case_id} {name}"),
    "trace.who_contact": (
        "{name} (F{level} của ca số {case_id}; đường truy vết: {path})",
        "{name} (F{level} of case {case_id}; trail: {path})",
    ),
    "trace.visits_of": ("Các địa điểm {who} đã đến ({count})", "Places {who} visited ({count})"),
    "trace.contacts_of": ("Người tiếp xúc của {who}: {levels}", "Contacts of {who}: {levels}"),
    "trace.none": ("không có", "none"),
    "trace.already_count": ("{count:,} đã có trong truy vết trước", "{count:,} already traced"),
    "trace.already": ("Đã truy vết (F{level})", "Already traced (F{level})"),
    "trace.present_with": (
        "Có mặt tại {venue} cùng lúc với {name} ({count} người)",
        "At {venue} at the same time as {name} ({count} people)",
    ),
    "trace.present_note": (
        "Mỗi người một dòng, với số phút trùng với {name} (tính cả {buffer} phút đệm mỗi phía).",
        "One row per person, with the minutes they overlapped {name} ({buffer} minutes of buffer"
        " on each side included).",
    ),
    "trace.run_next": ("Truy vết tiếp F{level}", "Trace F{level} too"),
    "column.exposure_venue": ("Nơi tiếp xúc", "Where exposed"),
    "trace.minutes": ("phút", "min"),
    "column.exposure_window": ("Thời gian tiếp xúc", "When exposed"),
    "column.level": ("Mức", "Level"),
    "column.first_exposure": ("Tiếp xúc đầu", "First exposure"),
    "column.overlap_minutes": ("Phút trùng", "Minutes"),
    "column.venues": ("Địa điểm", "Places"),
    "column.via": ("Qua", "Via"),
    "column.start": ("Từ", "From"),
    "column.end": ("Đến", "Until"),
    "column.venue_ref": ("Mã địa điểm", "Venue ref"),
    "column.when": ("Thời gian", "When"),
    "admin.import.kind": ("Loại tệp", "Kind of file"),
    "admin.import.kind.checkins": ("Lượt khai báo", "Check-ins"),
    "admin.import.kind.venues": ("Địa điểm", "Venues"),
    "admin.import.file": ("Tệp CSV hoặc JSONL (UTF-8)", "CSV or JSONL file (UTF-8)"),
    "admin.import.source": ("Hệ thống nguồn (ví dụ: moh, city)", "Source system (e.g. moh, city)"),
    "admin.import.run": ("Nhập", "Import"),
    "admin.import.help": (
        "Định dạng: xem docs/import-format.md. Dòng lỗi bị loại kèm số dòng và lý do; mọi dòng hợp lệ được giữ; nhập lại cùng tệp không tạo bản ghi trùng.",
        "Format: see docs/import-format.md. Bad rows are rejected with their line and reason; every valid row is kept; importing the same file again adds nothing.",
    ),
    "admin.import.errors": (
        "Các dòng bị loại (tối đa 1.000 dòng đầu)",
        "Rejected rows (first 1,000)",
    ),
    "admin.import.report": ("Tải báo cáo lỗi (CSV)", "Download the error report (CSV)"),
    "admin.import.stopped": (
        "Dừng giữa chừng: {reason}. Các phần trước đã được lưu; nhập lại tệp để tiếp tục.",
        "Stopped part-way: {reason}. Earlier parts are saved; import the file again to resume.",
    ),
    "admin.import.summary.check-ins": (
        "Đã đọc {read:,} lượt khai báo: {imported:,} được nhập, {already_present:,} đã có từ trước, {rejected:,} bị loại.",
        "Check-ins read: {read:,}; imported: {imported:,}; already imported: {already_present:,}; rejected: {rejected:,}.",
    ),
    "admin.import.summary.venues": (
        "Đã đọc {read:,} địa điểm: {created:,} được tạo, {updated:,} được cập nhật, {rejected:,} bị loại.",
        "Venues read: {read:,}; created: {created:,}; updated: {updated:,}; rejected: {rejected:,}.",
    ),
    "admin.import.report_file": ("dong-bi-loai", "rejected-rows"),
    # Why an import refuses a record (ingest/reasons.py). The English sentences are the partner
    # API's, the command line's and its error report's, word for word: a public contract
    # (docs/import-format.md, docs/api.md). {field} is the column, by import.field.<column>.
    "import.field.external_id": ("mã bản ghi", "external_id"),
    "import.field.venue_ref": ("mã địa điểm", "venue_ref"),
    "import.field.phone": ("số điện thoại", "phone"),
    "import.field.full_name": ("họ tên", "full_name"),
    "import.field.checked_in_at": ("giờ vào", "checked_in_at"),
    "import.field.checked_out_at": ("giờ ra", "checked_out_at"),
    "import.field.channel": ("hình thức khai báo", "channel"),
    "import.field.symptoms": ("triệu chứng", "symptoms"),
    "import.field.exposures": ("yếu tố dịch tễ", "exposures"),
    "import.field.name": ("tên địa điểm", "name"),
    "import.field.sector": ("khối", "sector"),
    "import.field.kind": ("loại địa điểm", "kind"),
    "import.field.ward_code": ("mã phường/xã", "ward_code"),
    "import.field.address": ("địa chỉ", "address"),
    "import.field.lat": ("vĩ độ", "lat"),
    "import.field.lon": ("kinh độ", "lon"),
    "import.field.default_dwell_minutes": ("thời gian lưu lại mặc định", "default_dwell_minutes"),
    "import.field.capacity": ("sức chứa", "capacity"),
    "import.reason.missing": ("Thiếu {field}", "missing {field}"),
    "import.reason.not_utf8": (
        "{field} không phải văn bản UTF-8 hợp lệ",
        "{field} is not valid UTF-8 text",
    ),
    "import.reason.invisible_character": (
        "{field} chứa ký tự ẩn {character}",
        "{field} contains the invisible character {character}",
    ),
    "import.reason.too_long": (
        "{field} dài quá {limit} ký tự ({length} ký tự)",
        "{field} is longer than {limit} characters ({length})",
    ),
    "import.reason.unprintable_value": (
        "{field} {value!r} chứa ký tự ẩn hoặc không giải mã được",
        "{field} {value!r} contains invisible or undecodable characters",
    ),
    "import.reason.unprintable": (
        "{field} chứa ký tự ẩn hoặc không giải mã được",
        "{field} contains invisible or undecodable characters",
    ),
    "import.reason.no_letters": (
        "{field} không có chữ cái nào: {value!r}",
        "{field} {value!r} has no letters",
    ),
    "import.reason.phone_empty": (
        "Số điện thoại không hợp lệ (không có chữ số nào)",
        "bad phone: no phone number",
    ),
    "import.reason.phone_not_digits": (
        "Số điện thoại không hợp lệ (chỉ được gồm chữ số): {value!r}",
        "bad phone: a phone number has only digits: {value!r}",
    ),
    "import.reason.phone_landline_length": (
        "Số điện thoại không hợp lệ (số cố định có 10 chữ số sau +84, 11 chữ số nếu bắt đầu bằng 0): {value!r}",
        "bad phone: a landline has 10 digits after +84 (11 with the 0): {value!r}",
    ),
    "import.reason.phone_mobile_length": (
        "Số điện thoại không hợp lệ (số di động có 9 chữ số sau +84, 10 chữ số nếu bắt đầu bằng 0): {value!r}",
        "bad phone: a mobile number has 9 digits after +84 (10 with the 0): {value!r}",
    ),
    "import.reason.phone_old_mobile": (
        "Số điện thoại không hợp lệ (số di động 11 số cũ, đã chuyển sang 10 số từ năm 2018): {value!r}",
        "bad phone: an old 11-digit mobile number (renumbered in 2018): {value!r}",
    ),
    "import.reason.phone_bad_start": (
        "Số điện thoại không hợp lệ (không có số Việt Nam nào bắt đầu bằng +84 {first}): {value!r}",
        "bad phone: no Vietnamese number starts with +84 {first}: {value!r}",
    ),
    "import.reason.phone_foreign": (
        "Số điện thoại không phải số Việt Nam (mã quốc gia +84): {value!r}",
        "bad phone: not a Vietnamese phone number (country code +84): {value!r}",
    ),
    "import.reason.phone_foreign_0084": (
        "Số điện thoại không phải số Việt Nam (mã quốc gia 0084): {value!r}",
        "bad phone: not a Vietnamese phone number (country code 0084): {value!r}",
    ),
    "import.reason.phone_not_vietnamese": (
        "Số điện thoại không phải số Việt Nam: {value!r}",
        "bad phone: not a Vietnamese phone number: {value!r}",
    ),
    "import.reason.unknown_ward": (
        "Mã phường không tồn tại: {value}",
        "unknown ward_code {value!r} (not one of Ho Chi Minh City's 273 wards)",
    ),
    "import.reason.not_a_number": (
        "{field} không phải là số: {value!r}",
        "{field} {value!r} is not a number",
    ),
    "import.reason.outside_hcmc": (
        "Tọa độ {lat}, {lon} nằm ngoài TP.HCM (vĩ độ {min_lat}–{max_lat}, kinh độ {min_lon}–{max_lon})",
        "coordinates {lat}, {lon} are outside Ho Chi Minh City (lat {min_lat}–{max_lat}, lon {min_lon}–{max_lon})",
    ),
    "import.reason.not_a_time": (
        "{field} không hợp lệ: {value!r} (cần ngày giờ dạng ISO 8601, ví dụ 2021-08-01T08:10:00+07:00)",
        "{field} {value!r} is not an ISO 8601 time (e.g. 2021-08-01T08:10:00+07:00)",
    ),
    "import.reason.no_time_of_day": (
        "{field} chỉ có ngày, thiếu giờ: {value!r}",
        "{field} {value!r} has no time of day",
    ),
    "import.reason.in_the_future": (
        "{field} là thời điểm trong tương lai: {time}",
        "{field} {time} is in the future",
    ),
    "import.reason.too_early": (
        "{field} trước ngày {earliest}: {time}",
        "{field} {time} is before {earliest}",
    ),
    "import.reason.unknown_symptom": (
        "Triệu chứng không hợp lệ: {values}; chỉ nhận: {expected}",
        "unknown symptom {values}; expected some of {expected}",
    ),
    "import.reason.unknown_exposure": (
        "Yếu tố dịch tễ không hợp lệ: {values}; chỉ nhận: {expected}",
        "unknown exposure {values}; expected some of {expected}",
    ),
    "import.reason.unknown_channel": (
        "Hình thức khai báo không hợp lệ: {value!r}; chỉ nhận {expected} hoặc để trống",
        "unknown channel {value!r}; expected {expected} or empty",
    ),
    "import.reason.unknown_choice": (
        "{field} không hợp lệ: {value!r}; phải là một trong: {expected}",
        "unknown {field} {value!r}; expected one of {expected}",
    ),
    "import.reason.not_minutes": (
        "{field} không phải số phút nguyên: {value!r}",
        "{field} {value!r} is not a whole number of minutes",
    ),
    "import.reason.minutes_out_of_range": (
        "{field} {value} nằm ngoài khoảng {low}–{high} phút",
        "{field} {value} is outside {low}–{high} minutes",
    ),
    "import.reason.not_a_whole_number": (
        "{field} không phải số nguyên: {value!r}",
        "{field} {value!r} is not a whole number",
    ),
    "import.reason.out_of_range": (
        "{field} {value:,} nằm ngoài khoảng {low:,}–{high:,}",
        "{field} {value:,} is outside {low:,}–{high:,}",
    ),
    "import.reason.missing_column": ("Thiếu cột {column}", "missing column {column}"),
    "import.reason.checked_out_before_in": (
        "Giờ ra trước giờ vào",
        "checked_out_at is before checked_in_at",
    ),
    "import.reason.unknown_venue": (
        "Mã địa điểm không tồn tại: {value}",
        "unknown venue_ref {value!r}",
    ),
    "import.reason.repeated_venue": (
        "Mã địa điểm {value} bị lặp lại (lần đầu ở dòng {first_line})",
        "venue_ref {value!r} repeated (first at line {first_line})",
    ),
    "import.reason.unreadable_csv": (
        "Không đọc được dòng CSV ({detail})",
        "unreadable CSV ({detail})",
    ),
    "import.reason.line_too_long": (
        "Dòng dài quá {limit:,} ký tự",
        "line longer than {limit:,} characters",
    ),
    "import.reason.line_too_long_spanning": (
        "Dòng dài quá {limit:,} ký tự (bản ghi kéo dài từ dòng {first} đến dòng {last}: có dấu ngoặc kép chưa đóng?)",
        "line longer than {limit:,} characters (the record spans lines {first}–{last}: a quote left open?)",
    ),
    "import.reason.column_count": (
        "Sai số cột: có {count} cột, cần {expected}",
        "wrong column count: {count} fields, expected {expected}",
    ),
    "import.reason.column_count_spanning": (
        "Sai số cột: có {count} cột, cần {expected} (bản ghi kéo dài từ dòng {first} đến dòng {last}: có dấu ngoặc kép chưa đóng?)",
        "wrong column count: {count} fields, expected {expected} (the record spans lines {first}–{last}: a quote left open?)",
    ),
    "import.reason.not_json": ("Không phải JSON hợp lệ ({detail})", "not valid JSON ({detail})"),
    "import.reason.not_an_object": ("Không phải một đối tượng JSON", "not a JSON object"),
    "import.reason.unknown_fields": (
        "Có trường không được phép: {names}",
        "unknown field(s) {names}",
    ),
    "import.reason.true_or_false": (
        "Trường {column} là true/false; cần văn bản hoặc số",
        "field {column} is true/false; expected text or a number",
    ),
    "import.reason.not_text_or_number": (
        "Trường {column} phải là văn bản hoặc số",
        "field {column} must be text or a number",
    ),
    "common.coming": (
        "Trang này đang được xây dựng ({issue}).",
        "This page is being built ({issue}).",
    ),
    "common.minutes": ("{n} phút", "{n} min"),
    "common.no_data": ("Chưa có dữ liệu cho bộ lọc này.", "No data for this filter yet."),
    # Query time limit (settings.query_timeout_s; ui/script_errors.py).
    "error.query_timeout": (
        "{page}: truy vấn chạy quá {seconds} giây nên đã bị dừng. Hãy thu hẹp khoảng ngày, chọn "
        "một quận hoặc phường (khi truy vết: chỉ F1, hoặc một khoảng thời gian ngắn hơn) rồi "
        "thử lại.",
        "{page}: the query ran longer than {seconds} seconds and was stopped. Narrow the dates, "
        "pick a district or a ward (for a trace: F1 only, or a shorter window) and try again.",
    ),
    # A file that cannot be imported at all: ingest.report.ImportFileError. The English
    # sentences are the command line's words; the administration page says them in its
    # reader's language.
    "import.file.larger_than_limit": (
        "{label} vượt quá giới hạn {limit:,} byte; các phần đã đọc trước đó đã được nhập; "
        "hãy chia nhỏ tệp (nhập lại sẽ bỏ qua những dòng đã có)",
        "{label} is larger than the limit of {limit:,} bytes; the chunks read before it were "
        "imported; split the file (importing again skips them)",
    ),
    "import.file.unknown_format": (
        "Định dạng không rõ {format!r}; cần csv hoặc jsonl",
        "unknown format {format!r}; expected csv or jsonl",
    ),
    "import.file.cannot_read": ("Không đọc được {path}: {detail}", "cannot read {path}: {detail}"),
    "import.file.too_large": (
        "{label} có {size:,} byte, vượt giới hạn {limit:,} byte; hãy chia nhỏ tệp",
        "{label} has {size:,} bytes, more than the limit of {limit:,}; split the file",
    ),
    "import.file.empty": ("Tệp {label} không có nội dung", "{label} is empty"),
    "import.file.workbook": (
        "{label} là sổ bảng tính, không phải tệp văn bản: hãy lưu dưới dạng "
        "'CSV UTF-8 (comma delimited)'",
        "{label} is a spreadsheet workbook, not a text file: save it as "
        "'CSV UTF-8 (comma delimited)'",
    ),
    "import.file.unknown_encoding": (
        "Bảng mã không rõ: {encoding!r}",
        "unknown encoding {encoding!r}",
    ),
    "import.file.binary": (
        "{label} là tệp nhị phân, không phải văn bản CSV hay JSONL",
        "{label} is a binary file, not CSV or JSONL text",
    ),
    "import.file.not_utf8": (
        "{label} không phải UTF-8 (byte 0x{byte} ở vị trí {offset:,}): hãy lưu dưới dạng "
        "'CSV UTF-8', hoặc cho biết bảng mã của tệp (cp1258 cho tiếng Việt trên Windows, "
        "latin-1, …)",
        "{label} is not UTF-8 (byte 0x{byte} at offset {offset:,}): save it as 'CSV UTF-8', "
        "or name its encoding (cp1258 for Windows Vietnamese, latin-1, …)",
    ),
    "import.file.spreadsheet": (
        "{label} là bảng tính: hãy lưu dưới dạng 'CSV UTF-8'",
        "{label} is a spreadsheet: save it as 'CSV UTF-8'",
    ),
    "import.file.json_array": (
        "{label} là một mảng JSON: mỗi dòng cần đúng một đối tượng JSON (JSONL)",
        "{label} is a JSON array: give one JSON object per line (JSONL)",
    ),
    "import.file.no_header": ("{label} không có dòng tiêu đề", "{label} has no header line"),
    "import.file.unreadable_header": (
        "{label}: không đọc được dòng tiêu đề ({detail})",
        "{label}: unreadable header ({detail})",
    ),
    "import.file.one_column_header": (
        "{label}: dòng tiêu đề chỉ có một cột {header!r}; các cột phải cách nhau bằng dấu phẩy",
        "{label}: the header is one column {header!r}; columns must be separated by commas",
    ),
    "import.file.repeated_columns": (
        "{label}: cột {columns} bị lặp lại",
        "{label}: column(s) {columns} repeated",
    ),
    "import.file.header_missing": (
        "{label}: thiếu cột {missing}. Dòng tiêu đề phải có {required}",
        "{label}: missing column(s) {missing}. The header must have {required}",
    ),
    "import.file.header_missing_optional": (
        "{label}: thiếu cột {missing}. Dòng tiêu đề phải có {required} và có thể có {optional}",
        "{label}: missing column(s) {missing}. The header must have {required} and may have "
        "{optional}",
    ),
    "import.file.header_unknown": (
        "{label}: cột không được nhận {unknown}. Dòng tiêu đề phải có {required}",
        "{label}: unknown column(s) {unknown}. The header must have {required}",
    ),
    "import.file.header_unknown_optional": (
        "{label}: cột không được nhận {unknown}. Dòng tiêu đề phải có {required} và có thể có "
        "{optional}",
        "{label}: unknown column(s) {unknown}. The header must have {required} and may have "
        "{optional}",
    ),
    "import.file.header_missing_unknown": (
        "{label}: thiếu cột {missing}; cột không được nhận {unknown}. Dòng tiêu đề phải có "
        "{required}",
        "{label}: missing column(s) {missing}; unknown column(s) {unknown}. The header must "
        "have {required}",
    ),
    "import.file.header_missing_unknown_optional": (
        "{label}: thiếu cột {missing}; cột không được nhận {unknown}. Dòng tiêu đề phải có "
        "{required} và có thể có {optional}",
        "{label}: missing column(s) {missing}; unknown column(s) {unknown}. The header must "
        "have {required} and may have {optional}",
    ),
    "import.file.bad_source": (
        "Hệ thống nguồn phải có từ 1 đến 40 ký tự in được, nhận được {source!r}",
        "source must be 1–40 printable characters, got {source!r}",
    ),
    # space-time clusters (ui/clusters_panel.py; docs/early-warning.md)
    "clusters.heading": ("Cụm bất thường theo không gian – thời gian", "Space-time clusters"),
    "clusters.method": (
        "Quét hoán vị không gian – thời gian (Kulldorff) các khai báo có nguy cơ theo phường, "
        "{first}–{last}, {replicates} lần mô phỏng; các cụm còn đang diễn ra với p < {p}.",
        "Space-time permutation scan (Kulldorff) of at-risk declarations by ward, "
        "{first}–{last}, {replicates} replicates; clusters still going on with p < {p}.",
    ),
    "clusters.none": (
        "Không có cụm nào với p < {p} trong ngày này.",
        "No cluster with p < {p} on this day.",
    ),
    "clusters.cluster": ("Cụm {rank}", "Cluster {rank}"),
    "clusters.wards": ("{n} phường/xã", "{n} wards"),
    "clusters.days": ("ngày {days}", "days {days}"),
    "clusters.observed": ("Khai báo nguy cơ", "At-risk declarations"),
    "clusters.expected": ("Kỳ vọng", "Expected"),
    "clusters.ratio": ("Quan sát / kỳ vọng", "Observed / expected"),
    "clusters.recurrence_label": ("Chu kỳ lặp lại", "Recurrence interval"),
    "clusters.recurrence": ("{days} ngày", "{days} days"),
    "clusters.focus": ("Xem trên bản đồ", "Show on the map"),
    "clusters.venues": (
        "Địa điểm có khai báo nguy cơ ({n})",
        "Venues with at-risk declarations ({n})",
    ),
    "clusters.no_venues": (
        "Không có địa điểm nào trong khu vực bạn được xem.",
        "No venue in the area you may see.",
    ),
}


# "{total:,}" in a label: a count grouped as the language groups it (vi 6.272, en 6,272).
_GROUPED = re.compile(r"\{(\w+):,\}")


def label(key: str, language: str = "vi", /, **values: object) -> str:
    """The text for a key in a language (Vietnamese when a translation is missing). Values may
    be named anything, key and language too."""
    try:
        vi, en = LABELS[key]
    except KeyError:
        return key
    text = en if language == "en" and en else vi
    if not values:
        return text
    grouped = set(_GROUPED.findall(text))
    if grouped:
        text = _GROUPED.sub(r"{\1}", text)
        values = {
            name: whole_number(value, language) if name in grouped else value  # type: ignore[arg-type]  # a grouped value is a number; label() takes any
            for name, value in values.items()
        }
    return text.format(**values)

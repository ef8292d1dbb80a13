"""Word lists for the demo city: Vietnamese personal names, streets and venue names."""

from __future__ import annotations

# Family names with rough shares (Nguyễn is about four in ten Vietnamese).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 5),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Trương", 1),
    ("Đinh", 0.8),
    ("Lâm", 0.6),
    ("Mai", 0.5),
)
MIDDLE_NAMES_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Gia", "Hoàng", "Công", "Tuấn")
MIDDLE_NAMES_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương", "Khánh", "Hồng")
GIVEN_NAMES_MALE = (
    "An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa",
    "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phát", "Phong", "Phúc", "Quang", "Sơn", "Tài",
    "Tâm", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh",
)  # fmt: skip
GIVEN_NAMES_FEMALE = (
    "Anh", "Châu", "Chi", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương",
    "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung", "Oanh", "Phương",
    "Quyên", "Tâm", "Thảo", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Yến",
)  # fmt: skip
MOBILE_PREFIXES = (
    "90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39",
    "70", "76", "77", "78", "79", "81", "82", "83", "84", "85", "86", "88", "89",
)  # fmt: skip
STREETS = (
    "Nguyễn Huệ", "Lê Lợi", "Hai Bà Trưng", "Cách Mạng Tháng Tám", "Điện Biên Phủ",
    "Nguyễn Thị Minh Khai", "Võ Văn Tần", "Lý Thường Kiệt", "Trường Chinh", "Phan Văn Trị",
    "Quang Trung", "Nguyễn Văn Linh", "Kinh Dương Vương", "Lê Văn Việt", "Xa lộ Hà Nội",
    "Phạm Văn Đồng", "Nguyễn Oanh", "Lũy Bán Bích", "Âu Cơ", "Hậu Giang", "Trần Hưng Đạo",
    "Nguyễn Trãi", "Lạc Long Quân", "Hoàng Văn Thụ", "Phan Đăng Lưu", "Tô Ký",
    "Quốc lộ 22", "Nguyễn Hữu Thọ", "Huỳnh Tấn Phát", "Tỉnh lộ 10", "Rừng Sác",
)  # fmt: skip
BRAND_WORDS = (
    "An Khang", "Phúc An", "Minh Châu", "Hòa Bình", "Tân Phát", "Thành Công", "Việt Mỹ",
    "Sài Gòn", "Phương Nam", "Gia Định", "Bến Nghé", "Hưng Thịnh", "Đại Phát", "Long Châu",
    "Thiện Tâm", "Bình An", "Hạnh Phúc", "Nhân Ái", "Vạn Phúc", "Kim Long",
)  # fmt: skip

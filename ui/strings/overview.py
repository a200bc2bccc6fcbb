"""Strings of the overview (Tổng quan) and hotspot map (Bản đồ điểm nóng) pages."""

STRINGS = {
    "overview.caption": (
        "Toàn huyện: số vụ việc trong kỳ đã chọn so với cùng kỳ năm trước, theo xã. Xã trọng điểm đánh dấu ★.",
        "The whole district: incidents in the chosen period against the same period a year earlier, per commune. "
        "Target communes are marked ★.",
    ),
    "overview.total": ("Tổng số vụ việc", "Total incidents"),
    "overview.targets_total": ("Ba xã trọng điểm", "The target communes"),
    "overview.others_total": ("Các xã còn lại", "Other communes"),
    "overview.vs_last_year": ("so với cùng kỳ năm trước ({n})", "vs the same period last year ({n})"),
    "overview.period": ("Kỳ: {start} – {end}", "Period: {start} – {end}"),
    "overview.table": ("Số vụ việc theo xã", "Incidents per commune"),
    "map.caption": (
        "Lọc theo thời gian, loại vụ việc và xã ở thanh bên; đường dẫn trên thanh địa chỉ giữ nguyên bộ lọc.",
        "Filter by time, offence and commune in the sidebar; the address bar link keeps the filters.",
    ),
    "map.layers": ("Lớp bản đồ", "Map layers"),
    "map.mode_points": ("Hiển thị {n} vụ việc, gom cụm theo vị trí.", "Showing {n} incidents, clustered."),
    "map.mode_cells": (
        "{n} vụ việc: quá nhiều để vẽ từng điểm, đã gộp thành {cells} ô {cell} m trên máy chủ.",
        "{n} incidents: too many to draw one by one, aggregated into {cells} cells of {cell} m on the server.",
    ),
    "map.none": ("Không có vụ việc nào khớp bộ lọc.", "No incident matches the filters."),
    "map.table": ("Số vụ việc theo xã (theo bộ lọc)", "Incidents per commune (filtered)"),
}

"""Strings of the hotspot analytics on /map and /targets: density, Gi*, emerging classes, time slider."""

# Emerging classes: ((Vietnamese name, one Vietnamese sentence), (English name, English sentence)).
_EMERGING = {
    "new_hot": (
        ("Điểm nóng mới", "Chỉ trở thành điểm nóng ở kỳ gần nhất, trước đó chưa từng nóng."),
        ("New hot spot", "Hot only in the latest period, never before."),
    ),
    "consecutive_hot": (
        ("Điểm nóng liên tiếp", "Nóng liền mấy kỳ gần đây, trước đó chưa từng nóng."),
        ("Consecutive hot spot", "Hot in an unbroken run of recent periods, never before."),
    ),
    "intensifying_hot": (
        ("Điểm nóng gia tăng", "Nóng ở hầu hết các kỳ (≥ 90%) và ngày càng nóng hơn."),
        ("Intensifying hot spot", "Hot in at least 90% of periods and getting hotter."),
    ),
    "persistent_hot": (
        ("Điểm nóng dai dẳng", "Nóng ở hầu hết các kỳ, không tăng không giảm rõ rệt."),
        ("Persistent hot spot", "Hot in at least 90% of periods, with no clear trend."),
    ),
    "diminishing_hot": (
        ("Điểm nóng đang giảm", "Vẫn nóng ở hầu hết các kỳ nhưng mức độ giảm dần."),
        ("Diminishing hot spot", "Hot in at least 90% of periods but cooling down."),
    ),
    "sporadic_hot": (
        ("Điểm nóng rải rác", "Nóng ở kỳ gần nhất, trước đó lúc nóng lúc không."),
        ("Sporadic hot spot", "Hot in the latest period, on and off before."),
    ),
    "oscillating_hot": (
        ("Điểm nóng dao động", "Nóng ở kỳ gần nhất nhưng từng là điểm lạnh trước đây."),
        ("Oscillating hot spot", "Hot in the latest period but a cold spot earlier."),
    ),
    "historical_hot": (
        ("Điểm nóng cũ", "Từng nóng ở hầu hết các kỳ, kỳ gần nhất không còn nóng."),
        ("Historical hot spot", "Hot in most periods, but no longer in the latest."),
    ),
    "new_cold": (
        ("Điểm lạnh mới", "Chỉ ở kỳ gần nhất mới ít vụ việc hẳn so với xung quanh."),
        ("New cold spot", "Cold only in the latest period, never before."),
    ),
    "consecutive_cold": (
        ("Điểm lạnh liên tiếp", "Ít vụ việc liền mấy kỳ gần đây, trước đó thì không."),
        ("Consecutive cold spot", "Cold in an unbroken run of recent periods, never before."),
    ),
    "intensifying_cold": (
        ("Điểm lạnh gia tăng", "Lạnh ở hầu hết các kỳ và ngày càng ít vụ việc hơn."),
        ("Intensifying cold spot", "Cold in at least 90% of periods and getting colder."),
    ),
    "persistent_cold": (
        ("Điểm lạnh dai dẳng", "Lạnh ở hầu hết các kỳ, không có xu hướng rõ."),
        ("Persistent cold spot", "Cold in at least 90% of periods, with no clear trend."),
    ),
    "diminishing_cold": (
        ("Điểm lạnh đang giảm", "Vẫn lạnh ở hầu hết các kỳ nhưng vụ việc tăng dần."),
        ("Diminishing cold spot", "Cold in at least 90% of periods but warming up."),
    ),
    "sporadic_cold": (
        ("Điểm lạnh rải rác", "Lạnh ở kỳ gần nhất, trước đó lúc lạnh lúc không."),
        ("Sporadic cold spot", "Cold in the latest period, on and off before."),
    ),
    "oscillating_cold": (
        ("Điểm lạnh dao động", "Lạnh ở kỳ gần nhất nhưng từng là điểm nóng trước đây."),
        ("Oscillating cold spot", "Cold in the latest period but a hot spot earlier."),
    ),
    "historical_cold": (
        ("Điểm lạnh cũ", "Từng lạnh ở hầu hết các kỳ, kỳ gần nhất không còn lạnh."),
        ("Historical cold spot", "Cold in most periods, but no longer in the latest."),
    ),
}


STRINGS = {
    "hot.density": ("Mật độ vụ việc", "Incident density"),
    "hot.density_unit": ("vụ / km² / năm", "incidents / km² / year"),
    "hot.gi": ("Điểm nóng thống kê (Gi*)", "Statistical hot spots (Gi*)"),
    "hot.emerging": ("Xu hướng điểm nóng", "Emerging hot spots"),
    "hot.count": ("Số vụ", "Incidents"),
    "hot.confidence": ("Mức tin cậy", "Confidence"),
    "hot.gi.3": ("Điểm nóng, tin cậy 99%", "Hot spot, 99% confidence"),
    "hot.gi.2": ("Điểm nóng, tin cậy 95%", "Hot spot, 95% confidence"),
    "hot.gi.1": ("Điểm nóng, tin cậy 90%", "Hot spot, 90% confidence"),
    "hot.gi.-1": ("Điểm lạnh, tin cậy 90%", "Cold spot, 90% confidence"),
    "hot.gi.-2": ("Điểm lạnh, tin cậy 95%", "Cold spot, 95% confidence"),
    "hot.gi.-3": ("Điểm lạnh, tin cậy 99%", "Cold spot, 99% confidence"),
    "hot.table": (
        "Các ô điểm nóng (Gi*) trong khoảng thời gian đã chọn",
        "Hot cells (Gi*) in the chosen period",
    ),
    "hot.table_none": (
        "Không có ô nào là điểm nóng có ý nghĩa thống kê với bộ lọc này.",
        "No cell is a statistically significant hot spot with these filters.",
    ),
    "hot.col.rank": ("Thứ tự", "Rank"),
    "hot.col.trend": ("Xu hướng (toàn bộ thời gian)", "Trend (whole span)"),
    "hot.col.where": ("Tọa độ tâm ô", "Cell centre"),
    "hot.caption": (
        "Ô lưới {cell} m. Mật độ: hàm nhân bậc bốn bán kính {bw} m, quy ra vụ/km²/năm, thang màu cố định. "
        "Gi*: so sánh mỗi ô và 8 ô xung quanh với toàn huyện, 9.999 hoán vị, hiệu chỉnh FDR.",
        "{cell} m grid. Density: quartic kernel, {bw} m bandwidth, in incidents/km²/year on a fixed scale. "
        "Gi*: each cell and its 8 neighbours against the whole district, 9,999 permutations, FDR-corrected.",
    ),
    "hot.emerging_caption": (
        "Xu hướng điểm nóng tính trên toàn bộ dữ liệu ({start} – {end}, {steps} {unit}), theo nhóm/loại vụ việc "
        "và xã đã lọc; phương pháp Emerging Hot Spot của ArcGIS (Gi* từng kỳ + kiểm định Mann–Kendall).",
        "Emerging hot spots use the whole data span ({start} – {end}, {steps} {unit}) with the offence "
        "and commune filters; ArcGIS's Emerging Hot Spot method (Gi* per step + Mann–Kendall test).",
    ),
    "hot.unit.month": ("tháng", "monthly steps"),
    "hot.unit.quarter": ("quý", "quarterly steps"),
    "hot.emerging_unavailable": (
        "Chưa phân tích được xu hướng điểm nóng: {msg}",
        "No emerging analysis: {msg}",
    ),
    "hot.time.header": ("Diễn biến theo tháng", "Month by month"),
    "hot.time.month": ("Tháng", "Month"),
    "hot.time.play": ("▶ Tự chạy", "▶ Play"),
    "hot.time.caption": (
        "{n} vụ việc trong tháng {month}. Cùng một màu là cùng một mật độ ở mọi tháng.",
        "{n} incidents in {month}. A colour means the same density in every month.",
    ),
    "hot.time.too_many": (
        "Tháng này có {n} vụ việc: chỉ vẽ mật độ, không vẽ từng điểm.",
        "{n} incidents this month: density only, no individual points.",
    ),
    "hot.compare.header": (
        "So sánh trước và sau khi triển khai kế hoạch",
        "Before and after the plan started",
    ),
    "hot.compare.caption": (
        "Mật độ {before} tháng trước và {after} tháng từ ngày {start}; cùng thang màu.",
        "Density in the {before} months before and the {after} months from {start}; same colour scale.",
    ),
    "hot.compare.before": ("Trước: {start} – {end}", "Before: {start} – {end}"),
    "hot.compare.after": ("Sau: {start} – {end}", "After: {start} – {end}"),
    "hot.targets.header": ("Điểm nóng trong các xã trọng điểm", "Hot spots in the target communes"),
    "hot.targets.caption": (
        "Tỷ lệ ô điểm nóng của mỗi xã trọng điểm đang giảm hoặc đã hết nóng (xu hướng điểm nóng, toàn bộ dữ liệu).",
        "Share of each target commune's hot cells that are diminishing or historical (emerging hot spots, whole span).",
    ),
    "hot.targets.hot_cells": ("Ô điểm nóng", "Hot cells"),
    "hot.targets.fading": ("Đang giảm / đã hết nóng", "Diminishing / historical"),
    "hot.targets.share": ("Tỷ lệ", "Share"),
    "hot.layer.density": ("Mật độ (ô lưới)", "Density (cells)"),
    "hot.layer.gistar": ("Điểm nóng Gi*", "Gi* hot spots"),
    "hot.layer.emerging": ("Xu hướng điểm nóng", "Emerging hot spots"),
}

for _code, ((_vi, _vi_why), (_en, _en_why)) in _EMERGING.items():
    STRINGS[f"hot.em.{_code}"] = (_vi, _en)
    STRINGS[f"hot.em.{_code}.why"] = (_vi_why, _en_why)

"""Strings of the evaluation: verdict cards on Tổng quan, the Xã trọng điểm page and the plan settings."""

STRINGS = {
    # Navigation
    "nav.targets": ("Xã trọng điểm", "Target communes"),
    # Verdict words (same as geo.evaluation.effects.VERDICTS; repeated so that the UI owns its wording)
    "verdict.improving": ("Cải thiện", "Improving"),
    "verdict.unclear": ("Chưa rõ", "Unclear"),
    "verdict.worsening": ("Xấu đi", "Worsening"),
    "verdict.insufficient": ("Chưa đủ dữ liệu", "Not enough data"),
    # Plain-language change sentences
    "change.down": ("giảm {pct}%", "down {pct}%"),
    "change.up": ("tăng {pct}%", "up {pct}%"),
    "change.flat": ("gần như không đổi", "about the same"),
    "change.none": ("chưa có số liệu so sánh", "no comparison available"),
    "card.change": (
        "Số vụ {change} so với cùng kỳ ({before} → {after} vụ); các xã khác {control}.",
        "Incidents {change} against the same period before ({before} → {after}); other communes {control}.",
    ),
    "card.buffer": ("Các xã giáp ranh: {change}.", "Neighbouring communes: {change}."),
    "card.no_buffer": (
        "Không có xã giáp ranh ngoài các xã trọng điểm.",
        "No neighbouring non-target commune.",
    ),
    "card.evidence": ("Xem số liệu chi tiết", "See the evidence"),
    # Headline on Tổng quan
    "headline.title": ("Các xã trọng điểm có chuyển biến không?", "Are the target communes improving?"),
    "headline.period": (
        "So sánh {after_months} tháng từ ngày bắt đầu kế hoạch ({after_start} – {after_end}) với "
        "{before_months} tháng trước đó ({before_start} – {before_end}). Kết luận không phụ thuộc bộ lọc ở thanh bên.",
        "The {after_months} months from the plan's start ({after_start} – {after_end}) against the "
        "{before_months} months before ({before_start} – {before_end}). The verdicts do not follow the sidebar "
        "filters.",
    ),
    "headline.group": ("{names}: {verdict}", "{names}: {verdict}"),
    "headline.together": (
        "Tính chung {n} xã: số vụ {change}, các xã khác {control} — {meaning}.",
        "All {n} together: incidents {change}, other communes {control} — {meaning}.",
    ),
    "meaning.improving": ("cải thiện rõ so với các xã khác", "clearly better than the other communes"),
    "meaning.unclear": ("chưa thể kết luận là đã cải thiện", "too early to call it an improvement"),
    "meaning.worsening": ("xấu đi so với các xã khác", "worse than the other communes"),
    "meaning.insufficient": ("chưa đủ số liệu để kết luận", "not enough data to judge"),
    "overview.verdict_map": (
        "Xã trọng điểm tô màu theo kết luận; viền đứt nét: các xã giáp ranh (nơi vụ việc có thể dồn sang).",
        "Target communes coloured by verdict; dashed outline: their neighbours (where incidents "
        "could move to).",
    ),
    "overview.period_section": ("Số vụ việc trong kỳ đã chọn", "Incidents in the chosen period"),
    # Xã trọng điểm page
    "targets.caption": (
        "Bằng chứng cho kết luận ở trang Tổng quan: số vụ, tỉ lệ, các chỉ số và xu hướng theo tháng.",
        "The evidence behind the verdicts on the Overview: counts, rates, effect sizes and monthly trend.",
    ),
    "targets.pick": ("Xem", "Show"),
    "targets.all": ("Cả {n} xã chung", "All {n} together"),
    "targets.verdict": ("Kết luận: {icon} **{verdict}**", "Verdict: {icon} **{verdict}**"),
    "targets.areas": (
        "Xã giáp ranh (vùng lan tỏa): {buffer}. Xã đối chứng: {control}.",
        "Neighbouring (buffer) communes: {buffer}. Control communes: {control}.",
    ),
    "targets.none": ("không có", "none"),
    "targets.table": ("Trước và sau theo nhóm vụ việc", "Before and after by offence group"),
    "targets.all_groups": ("Tất cả", "All"),
    "targets.indicators": ("Các chỉ số", "Indicators"),
    "targets.res": ("RES (hiệu quả tương đối)", "RES (relative effect size)"),
    "targets.res_help": (
        "Lớn hơn 1: xã trọng điểm giảm nhiều hơn xã đối chứng. Khoảng tin cậy 95% nằm hẳn trên 1 → "
        "Cải thiện.",
        "Above 1: the target fell more than the control. A 95% interval entirely above 1 → Improving.",
    ),
    "targets.wdd": ("WDD (số vụ chênh lệch)", "WDD (weighted displacement difference)"),
    "targets.wdd_help": (
        "Số vụ tránh được (âm) hay tăng thêm (dương) ở xã trọng điểm và xã giáp ranh, sau khi trừ xu "
        "hướng chung. "
        "Sai số chuẩn {se}, z = {z}.",
        "Incidents prevented (negative) or added (positive) in the target and its neighbours, net of "
        "the general "
        "trend. Standard error {se}, z = {z}.",
    ),
    "targets.wdq": ("WDQ (lan tỏa hay dồn sang)", "WDQ (diffusion or displacement)"),
    "targets.wdq_help": (
        "Dương: xã giáp ranh cũng giảm theo (lan tỏa lợi ích); âm: vụ việc dồn sang xã giáp ranh. "
        "Chỉ để mô tả.",
        "Positive: neighbours improved too (diffusion of benefits); negative: incidents moved next door. "
        "Descriptive only.",
    ),
    "targets.panel": ("Mô hình bảng (cả {n} xã)", "Panel model (all {n})"),
    "targets.panel_help": (
        "Tỉ số tỉ lệ vụ việc do kế hoạch, so với các xã khác, đã tính mùa vụ và khác biệt giữa các xã. "
        "Dưới 1: giảm. Phương pháp: {method}.",
        "Rate ratio attributable to the plan against the other communes, net of season and commune "
        "differences. "
        "Below 1: a fall. Method: {method}.",
    ),
    "targets.panel_none": ("Không ước lượng được", "Could not be estimated"),
    "targets.trend": ("Xu hướng (chuỗi thời gian gián đoạn)", "Trend (interrupted time series)"),
    "targets.trend_help": (
        "So với xu hướng {months} tháng trước kế hoạch, số vụ sau kế hoạch bằng {ratio} lần dự báo; "
        "thay đổi mức ngay khi bắt đầu: {level} (KTC {level_lo}–{level_hi}); thay đổi độ dốc mỗi "
        "tháng: {slope}.",
        "Against the trend of the {months} months before the plan, incidents after it were {ratio} times the "
        "forecast; level change at the start: {level} (CI {level_lo}–{level_hi}); slope change per "
        "month: {slope}.",
    ),
    "targets.trend_none": ("Không đủ số tháng để ước lượng xu hướng.", "Too few months to fit the trend."),
    "targets.ci": ("KTC 95%: {lo} – {hi}", "95% CI: {lo} – {hi}"),
    "targets.undefined": ("Không xác định", "Not defined"),
    "targets.chart": ("Số vụ mỗi tháng trên 1.000 dân", "Incidents per month per 1,000 residents"),
    "targets.chart_target": ("Xã trọng điểm", "Target"),
    "targets.chart_control": ("Xã đối chứng", "Control"),
    "targets.chart_fit": ("Mô hình xu hướng", "Trend model"),
    "targets.chart_counterfactual": ("Nếu giữ xu hướng cũ", "Had the old trend continued"),
    "targets.chart_start": ("Bắt đầu kế hoạch", "Plan start"),
    "targets.chart_month": ("Tháng", "Month"),
    "targets.chart_rate": ("Vụ / 1.000 dân / tháng", "Incidents / 1,000 residents / month"),
    "targets.chart_series": ("Chuỗi", "Series"),
    "targets.maps": (
        "Trước và sau trên bản đồ (cùng thang màu)",
        "Before and after on the map (same colour scale)",
    ),
    "targets.maps_key": (
        "★ viền đỏ: xã trọng điểm; viền đứt nét: xã giáp ranh.",
        "★ red outline: target commune; dashed outline: neighbouring communes.",
    ),
    "targets.map_before": ("Trước: {start} – {end}", "Before: {start} – {end}"),
    "targets.map_after": ("Sau: {start} – {end}", "After: {start} – {end}"),
    "targets.caveats": ("Lưu ý khi đọc kết quả", "Caveats"),
    "targets.caveats_text": (
        "- **Hồi quy về trung bình**: các xã được chọn vì số vụ đang cao; năm sau thường tự giảm phần nào, "
        "nên một phần mức giảm có thể không do kế hoạch.\n"
        "- **Thay đổi cách ghi nhận**: tăng cường tuần tra, tiếp nhận tin báo có thể làm *tăng* số "
        "vụ được ghi nhận "
        "dù tình hình thực tế tốt lên (và ngược lại).\n"
        "- Kết luận dựa trên khoảng tin cậy 95% của RES so với các xã đối chứng nêu ở trên, và cần ít nhất "
        "{min_count} vụ ở xã trọng điểm (trước và sau cộng lại).",
        "- **Regression to the mean**: the targets were chosen because they were high; such places "
        "often fall "
        "somewhat on their own, so part of a fall may not be the plan's doing.\n"
        "- **Changes in reporting**: more patrols or easier reporting can *raise* recorded incidents "
        "while the "
        "real situation improves (and the reverse).\n"
        "- The verdict uses the 95% interval of RES against the control communes named above and "
        "needs at least "
        "{min_count} incidents in the target (before and after together).",
    ),
    "targets.method.negative_binomial": ("hồi quy nhị thức âm", "negative binomial regression"),
    "targets.method.poisson": ("hồi quy Poisson", "Poisson regression"),
    "targets.method.poisson_robust": (
        "hồi quy Poisson, sai số theo cụm xã",
        "Poisson, commune-clustered errors",
    ),
    "targets.outside": (
        "{n} vụ việc nằm ngoài mọi ranh giới xã (không tính vào xã nào).",
        "{n} incidents lie outside every commune boundary (counted in none).",
    ),
    "targets.shortened": (
        "Dữ liệu không đủ cho cửa sổ của kế hoạch: dùng {before} tháng trước và {after} tháng sau "
        "(đã quy đổi "
        "theo thời gian).",
        "The data do not cover the plan's windows: using {before} months before and {after} after "
        "(time-weighted).",
    ),
    "col.group": ("Nhóm vụ việc", "Offence group"),
    "col.before": ("Trước", "Before"),
    "col.after": ("Sau", "After"),
    "col.rate_before": ("Vụ/1.000 dân/năm trước", "Per 1,000/yr before"),
    "col.rate_after": ("Vụ/1.000 dân/năm sau", "Per 1,000/yr after"),
    "col.control_change": ("Đối chứng (%)", "Control (%)"),
    "col.res": ("RES", "RES"),
    "col.res_ci": ("KTC 95%", "95% CI"),
    "col.verdict": ("Kết luận", "Verdict"),
    # Plan settings
    "plan.header": ("Cài đặt kế hoạch", "Plan settings"),
    "plan.help": (
        "Ngày bắt đầu, các xã trọng điểm và độ dài giai đoạn dùng cho mọi trang và cho dòng lệnh.",
        "Start date, target communes and window lengths used by every page and by the command line.",
    ),
    "plan.name": ("Tên kế hoạch", "Plan name"),
    "plan.start": ("Ngày bắt đầu", "Start date"),
    "plan.targets": ("Xã trọng điểm", "Target communes"),
    "plan.before": ("Số tháng trước", "Months before"),
    "plan.after": ("Số tháng sau", "Months after"),
    "plan.note": ("Ghi chú", "Note"),
    "plan.save": ("Lưu kế hoạch", "Save the plan"),
    "plan.saved": ("Đã lưu kế hoạch.", "Plan saved."),
    "plan.current": (
        "Kế hoạch hiện tại: **{name}**, bắt đầu {start}; xã trọng điểm: {targets}.",
        "Current plan: **{name}**, starting {start}; targets: {targets}.",
    ),
    "eval.error": ("Không đánh giá được: {msg}", "Cannot evaluate: {msg}"),
}

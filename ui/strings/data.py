"""Strings of the Dữ liệu (data) page: imports, boundaries, history, exports."""

STRINGS = {
    "nav.data": ("Dữ liệu", "Data"),
    "data.caption": (
        "Nhập vụ việc và ranh giới xã chính thức, xem lịch sử nhập (có hoàn tác), xuất dữ liệu ra CSV/Excel.",
        "Import incidents and official commune boundaries, review the import history (with undo), export to CSV/Excel.",
    ),
    "data.tab.incidents": ("Nhập vụ việc", "Import incidents"),
    "data.tab.boundaries": ("Ranh giới xã", "Commune boundaries"),
    "data.tab.history": ("Lịch sử nhập", "Import history"),
    "data.tab.export": ("Xuất dữ liệu", "Export"),
    "data.too_big": (
        "Tệp «{name}» quá lớn ({size} MB; tối đa {limit} MB). Hãy tách thành nhiều tệp nhỏ hơn, ví dụ theo tháng.",
        "File «{name}» is too large ({size} MB; at most {limit} MB). Split it, for example by month.",
    ),
    "data.error": ("**Không dùng được tệp này.** {msg}", "**This file cannot be used.** {msg}"),
    "data.upload.button": ("Chọn tệp", "Choose a file"),
    "data.upload.hint": (
        "Kéo thả tệp vào đây hoặc bấm «Chọn tệp» · tối đa {mb} MB",
        "Drag a file here or press «Choose a file» · at most {mb} MB",
    ),
    "data.none": ("— không có —", "— none —"),
    "data.auto": ("— tự nhận —", "— automatic —"),
    # incidents
    "data.inc.upload": (
        "Tệp vụ việc (CSV, Excel .xlsx hoặc GeoJSON)",
        "Incident file (CSV, Excel .xlsx or GeoJSON)",
    ),
    "data.inc.upload_help": (
        "Tối đa {mb} MB. Cột thường gặp được tự nhận: Mã vụ, Ngày xảy ra, Tội danh / Loại vụ việc, Kinh độ, Vĩ độ, "
        "Địa chỉ, Mô tả.",
        "At most {mb} MB. Usual columns are recognised: Mã vụ, Ngày xảy ra, Tội danh / Loại vụ việc, Kinh độ, Vĩ độ, "
        "Địa chỉ, Mô tả.",
    ),
    "data.inc.hint": (
        "Chọn tệp để kiểm tra. Chưa có gì được ghi vào kho cho đến khi bấm «Ghi vào kho».",
        "Pick a file to check it. Nothing is written to the store until you press «Write to the store».",
    ),
    "data.inc.options": ("Cách đọc tệp", "How to read the file"),
    "data.inc.date_format": ("Định dạng ngày", "Date format"),
    "data.inc.crs": ("Hệ tọa độ của tọa độ", "Coordinate system"),
    "data.inc.encoding": ("Bảng mã (CSV)", "Text encoding (CSV)"),
    "data.inc.sheet": ("Trang tính (Excel)", "Worksheet (Excel)"),
    "data.inc.mapping": ("Cột của tệp ({n} cột)", "Columns of the file ({n} columns)"),
    "data.inc.mapping_help": (
        "Chọn cột tương ứng với từng trường. Các trường có dấu * là bắt buộc.",
        "Pick the column for each field. Fields marked * are required.",
    ),
    "data.inc.checking": ("Đang kiểm tra {n} dòng…", "Checking {n} rows…"),
    "data.inc.checked": ("Đã kiểm tra {n} dòng", "Checked {n} rows"),
    "data.inc.valid": ("Dòng hợp lệ", "Valid rows"),
    "data.inc.rejected": ("Dòng lỗi (bỏ qua)", "Rows with errors (skipped)"),
    "data.inc.new": ("Vụ mới", "New incidents"),
    "data.inc.updated": ("Cập nhật", "Updated"),
    "data.inc.unchanged": ("Đã có, giữ nguyên", "Already stored, unchanged"),
    "data.inc.empty_rows": ("{n} dòng trống đã bỏ qua.", "{n} empty rows skipped."),
    "data.inc.read_as": (
        "Đọc ngày theo {order}, tọa độ theo {crs}.",
        "Dates read as {order}, coordinates in {crs}.",
    ),
    "data.inc.report": ("Báo cáo kiểm tra ({n} vấn đề)", "Validation report ({n} issues)"),
    "data.inc.no_issues": ("Không có lỗi nào: mọi dòng đều hợp lệ.", "No problems: every row is valid."),
    "data.inc.report_download": ("Tải báo cáo lỗi (CSV)", "Download the report (CSV)"),
    "data.inc.unknown": ("Tội danh chưa nhận ra ({n})", "Offences not recognised ({n})"),
    "data.inc.unknown_help": (
        "Chọn loại vụ việc trong danh mục cho từng tên dưới đây, các dòng đó sẽ được kiểm tra lại.",
        "Pick the taxonomy offence for each name below; those rows are checked again.",
    ),
    "data.inc.unknown_row": ("«{name}» ({n} dòng)", "«{name}» ({n} rows)"),
    "data.inc.preview": ("Xem trước {n} dòng đầu sẽ ghi", "Preview of the first {n} rows to write"),
    "data.inc.replaces_demo": (
        "Kho đang chứa dữ liệu minh họa. Khi ghi, dữ liệu minh họa được gỡ bỏ để không lẫn với dữ liệu thật "
        "(hoàn tác lần nhập này sẽ đưa nó trở lại).",
        "The store holds demo data. Writing removes it so that it never mixes with real data "
        "(undoing this import brings it back).",
    ),
    "data.inc.same_file": (
        "Tệp này (cùng nội dung) đã được nhập trước đây, lô {batches}.",
        "This file (same content) was imported before, batch {batches}.",
    ),
    "data.inc.commit": (
        "Ghi vào kho: {new} vụ mới, {updated} cập nhật",
        "Write to the store: {new} new, {updated} updated",
    ),
    "data.inc.nothing": (
        "Không có gì mới để ghi: mọi dòng hợp lệ đã có trong kho.",
        "Nothing new to write: every valid row is already stored.",
    ),
    "data.inc.writing": ("Đang ghi vào kho…", "Writing to the store…"),
    "data.inc.done": (
        "Đã ghi lô {batch}: {new} vụ mới, {updated} cập nhật, bỏ {rejected} dòng lỗi.",
        "Wrote batch {batch}: {new} new, {updated} updated, {rejected} rows with errors skipped.",
    ),
    "data.col.id": ("Mã vụ", "ID"),
    "data.col.when": ("Ngày xảy ra", "Date"),
    "data.col.offence": ("Tội danh / Loại vụ việc", "Offence"),
    "data.col.commune": ("Xã", "Commune"),
    "data.col.lon": ("Kinh độ", "Longitude"),
    "data.col.lat": ("Vĩ độ", "Latitude"),
    "data.col.description": ("Mô tả", "Description"),
    # boundaries
    "data.bnd.upload": (
        "Tệp ranh giới xã (GeoJSON, Shapefile nén .zip kèm .prj, hoặc GeoPackage)",
        "Commune boundary file (GeoJSON, zipped Shapefile with .prj, or GeoPackage)",
    ),
    "data.bnd.hint": (
        "Ranh giới hiện tại: {kind}. Tải lên ranh giới chính thức (thường ở hệ VN-2000) để thay thế; "
        "sẽ có bản xem trước trước khi thay.",
        "Current boundaries: {kind}. Upload the official boundaries (often in VN-2000) to replace them; "
        "you see a preview first.",
    ),
    "data.bnd.approximate": ("gần đúng (minh họa)", "approximate (demo)"),
    "data.bnd.official": ("đã nhập từ tệp", "imported from a file"),
    "data.bnd.crs": ("Hệ tọa độ", "Coordinate system"),
    "data.bnd.crs_file": ("— theo tệp —", "— as the file says —"),
    "data.bnd.layer": ("Lớp (GeoPackage nhiều lớp)", "Layer (multi-layer GeoPackage)"),
    "data.bnd.year": ("Năm số liệu dân số", "Population figures year"),
    "data.bnd.fields": ("Thuộc tính của tệp", "Attributes of the file"),
    "data.bnd.field.code": ("Mã xã (GSO) *", "Commune code (GSO) *"),
    "data.bnd.field.name": ("Tên xã *", "Commune name *"),
    "data.bnd.field.population": ("Dân số", "Population"),
    "data.bnd.communes": ("Số xã", "Communes"),
    "data.bnd.source_crs": ("Hệ tọa độ của tệp", "File's coordinate system"),
    "data.bnd.offset": ("Lệch so với ranh giới huyện", "Offset from the district outline"),
    "data.bnd.changed": ("Vụ việc đổi xã", "Incidents changing commune"),
    "data.bnd.outside": ("Vụ nằm ngoài mọi xã", "Incidents outside every commune"),
    "data.bnd.preview": (
        "Xem trước: ranh giới mới (tô màu) và ranh giới hiện tại (nét đứt).",
        "Preview: new boundaries (filled) and current ones (dashed).",
    ),
    "data.bnd.issues": ("Vấn đề trong tệp ({n})", "Problems in the file ({n})"),
    "data.bnd.blocked": (
        "Tệp còn lỗi (xem bảng trên): chưa thể thay ranh giới.",
        "The file has errors (see the table above): the boundaries cannot be replaced yet.",
    ),
    "data.bnd.commit": ("Thay ranh giới ({n} xã)", "Replace the boundaries ({n} communes)"),
    "data.bnd.done": (
        "Đã thay ranh giới (lô {batch}): {changed} vụ việc đổi xã, {outside} vụ nằm ngoài mọi xã.",
        "Boundaries replaced (batch {batch}): {changed} incidents changed commune, {outside} fall outside.",
    ),
    # history
    "data.hist.empty": ("Chưa có lần nhập nào.", "No imports yet."),
    "data.hist.batch": ("Mã lô", "Batch"),
    "data.hist.kind": ("Loại", "Kind"),
    "data.hist.file": ("Tệp", "File"),
    "data.hist.time": ("Thời gian", "Time"),
    "data.hist.user": ("Người nhập", "User"),
    "data.hist.status": ("Trạng thái", "Status"),
    "data.hist.active": ("Đang dùng", "Active"),
    "data.hist.undone": ("Đã hoàn tác {time}", "Undone {time}"),
    "data.hist.kind.incidents": ("Vụ việc", "Incidents"),
    "data.hist.kind.boundaries": ("Ranh giới", "Boundaries"),
    "data.hist.kind.demo": ("Minh họa", "Demo"),
    "data.hist.undo": ("Hoàn tác một lần nhập", "Undo an import"),
    "data.hist.pick": ("Lô cần hoàn tác", "Batch to undo"),
    "data.hist.confirm": (
        "Tôi hiểu: vụ việc của lô này bị gỡ và phiên bản trước được khôi phục.",
        "I understand: this batch's incidents are removed and the previous versions restored.",
    ),
    "data.hist.undo_button": ("Hoàn tác", "Undo"),
    "data.hist.undone_ok": (
        "Đã hoàn tác lô {batch}: gỡ {removed}, khôi phục {restored}.",
        "Undid batch {batch}: {removed} removed, {restored} restored.",
    ),
    "data.hist.nothing": ("Không có lô nào có thể hoàn tác.", "No batch can be undone."),
    # export
    "data.exp.scope": (
        "Theo bộ lọc hiện tại: {n} vụ việc từ {start} đến {end}.",
        "With the current filters: {n} incidents from {start} to {end}.",
    ),
    "data.exp.format": ("Định dạng", "Format"),
    "data.exp.sheet_communes": ("Theo xã", "By commune"),
    "data.exp.incidents": ("Tải danh sách vụ việc", "Download the incidents"),
    "data.exp.communes": ("Tải bảng theo xã", "Download the per-commune table"),
    "data.exp.note": (
        "Ô bắt đầu bằng =, +, -, @ được thêm dấu ' để Excel không chạy như công thức. Tệp xuất nhập lại được.",
        "Cells starting with =, +, -, @ get a leading ' so that Excel never runs them as formulas. "
        "Exported files import back.",
    ),
}

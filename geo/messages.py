"""The importers' messages in English: their Vietnamese wording matched, its values kept, for the English UI.

The parsers and importers write each problem in Vietnamese (`geo.AppError.message`, `Issue.message`),
the command line's language. `english` reads such a message back against the templates below and
writes it in English with the same values, so the English /data page shows the import report in
English; a message no template knows is left as written.
"""

from __future__ import annotations

import re
from functools import cache

_TEMPLATES: tuple[tuple[str, str], ...] = (
    # dates (geo.io.parsing)
    ("Định dạng ngày «{a}» không được hỗ trợ; chọn một trong: {b}.", "Date format «{a}» is not supported; choose one of: {b}."),
    ("Thứ tự ngày «{a}» không hợp lệ (dmy hoặc mdy).", "Date order «{a}» is not valid (dmy or mdy)."),
    ("Ngày ở tương lai (sau {a}): kiểm tra lại ngày, tháng, năm.", "A date in the future (after {a}): check the day, month and year."),
    ("Ngày quá xa trong quá khứ (trước {a}): kiểm tra lại năm.", "A date too far in the past (before {a}): check the year."),
    ("Tháng ở tương lai (sau {a}): kiểm tra lại tháng, năm.", "A month in the future (after {a}): check the month and year."),
    ("Tháng quá xa trong quá khứ (trước {a}): kiểm tra lại năm.", "A month too far in the past (before {a}): check the year."),
    ("Tháng {a} không tồn tại.", "There is no month {a}."),
    ("Thiếu ngày xảy ra: mỗi vụ việc cần có ngày (vd 05/01/2024).", "The date is missing: every incident needs one (e.g. 05/01/2024)."),
    ("Không phải là ngày.", "Not a date."),
    ("Số ngày kiểu Excel không hợp lệ.", "Not a valid Excel date number."),
    ("Ngày giờ ISO không hợp lệ ({a}).", "Not a valid ISO date and time ({a})."),
    ("Không đọc được ngày: dùng dd/mm/yyyy [HH:MM], yyyy-mm-dd hoặc ô ngày của Excel.", "The date cannot be read: use dd/mm/yyyy [HH:MM], yyyy-mm-dd or an Excel date cell."),
    ("Tháng {a} không tồn tại (đang đọc theo {b}); nếu tệp dùng tháng/ngày, hãy chọn định dạng ngày mm/dd/yyyy.", "There is no month {a} (reading {b}); if the file writes month/day, choose the date format mm/dd/yyyy."),
    ("Ngày {a} không có trên lịch.", "There is no day {a} in the calendar."),
    ("Giờ không hợp lệ: dùng HH:MM (vd 14:30).", "Not a valid time: use HH:MM (e.g. 14:30)."),
    ("Giờ SA/CH (AM/PM) phải từ 1 đến 12.", "An AM/PM hour must be from 1 to 12."),
    ("Giờ không hợp lệ: giờ 0–23, phút 0–59.", "Not a valid time: hours 0–23, minutes 0–59."),
    # numbers and coordinates
    ("Không phải là số.", "Not a number."),
    ("Thiếu giá trị số.", "The number is missing."),
    ("Số không hữu hạn.", "The number is not finite."),
    ("Số quá lớn.", "The number is too large."),
    ("Số không hợp lệ (dấu chấm nhóm nghìn, dấu phẩy thập phân).", "Not a valid number (dot for thousands, comma for decimals)."),
    ("Số không hợp lệ (dấu phẩy nhóm nghìn, dấu chấm thập phân).", "Not a valid number (comma for thousands, dot for decimals)."),
    ("Số không hợp lệ: có nhiều dấu thập phân.", "Not a valid number: more than one decimal mark."),
    ("Không phải là số (vd 105,6123 hoặc 105.6123).", "Not a number (e.g. 105,6123 or 105.6123)."),
    ("Số quá lớn (tối đa {a}).", "The number is too large (at most {a})."),
    ("Phải là số nguyên không âm (vd 7.400).", "Must be a whole number, not negative (e.g. 7,400)."),
    ("Tọa độ độ-phút-giây không hợp lệ (vd 20°05'06\"N).", "Not a valid degrees-minutes-seconds coordinate (e.g. 20°05'06\"N)."),
    ("Phút và giây phải nhỏ hơn 60.", "Minutes and seconds must be below 60."),
    # incident rows (geo.io.incident_import, geo.io.assignment, geo.io.offences, geo.history)
    ("Cột ngày có {a} giá trị chỉ đọc được theo kiểu tháng/ngày/năm (Mỹ), ví dụ 01/25/2024. Để không đọc nhầm ngày và tháng, hãy chọn rõ định dạng ngày: mm/dd/yyyy nếu tệp dùng tháng/ngày, dd/mm/yyyy nếu không (--date-format).", "The date column has {a} values that read only as month/day/year (US), e.g. 01/25/2024. So that days and months are not swapped, choose the date format: mm/dd/yyyy if the file writes month/day, dd/mm/yyyy if not (--date-format)."),
    ("Mọi ngày dạng a/b/yyyy trong tệp đều có a và b không quá 12 nên không tự phân biệt được ngày/tháng: đã đọc theo ngày/tháng/năm. Nếu tệp dùng tháng/ngày (kiểu Mỹ), hãy chọn định dạng mm/dd/yyyy.", "Every a/b/yyyy date in the file has a and b of at most 12, so day and month cannot be told apart: read as day/month/year. If the file writes month/day (US), choose the format mm/dd/yyyy."),
    ("Tệp không có cột mã vụ: đã tạo mã tự động từ nội dung dòng (ngày, tội danh, tọa độ hoặc xã, mô tả) (nhập lại cùng tệp sẽ cập nhật, không nhân đôi).", "The file has no incident id column: ids were made from each row's content (date, offence, coordinates or commune, description) (importing the same file again updates, never duplicates)."),
    ("{a} dòng giống hệt một dòng trước đó (cùng ngày, tội danh, nơi xảy ra và mô tả): đã nhận là các vụ riêng. Nếu đó là dòng chép trùng, hãy xóa bớt trong tệp.", "{a} rows are identical to an earlier row (same date, offence, place and description): taken as separate incidents. If they are copied twice, delete them in the file."),
    ("Hệ tọa độ «{a}» không xác định: ghi mã EPSG, ví dụ EPSG:5897.", "Coordinate system «{a}» is not known: give an EPSG code, e.g. EPSG:5897."),
    ("Hệ tọa độ «{a}» không dùng được (hệ tọa độ cục bộ, hoặc không chuyển được sang kinh độ/vĩ độ): ghi mã EPSG, ví dụ EPSG:5897.", "Coordinate system «{a}» cannot be used (a local system, or not convertible to longitude/latitude): give an EPSG code, e.g. EPSG:5897."),
    ("Tọa độ là số lớn (vd {a}): tệp dùng hệ tọa độ phẳng. Hãy chọn hệ tọa độ của tệp ({b}) bằng ô «Hệ tọa độ» hoặc --crs.", "The coordinates are large numbers (e.g. {a}): the file uses a projected system. Choose the file's coordinate system ({b}) in «Coordinate system» or with --crs."),
    ("Thiếu mã vụ: mỗi vụ việc cần một mã riêng.", "The incident id is missing: every incident needs its own id."),
    ("Thiếu tọa độ (hoặc ghi xã để nhận theo xã).", "The coordinates are missing (or give the commune to record it by commune)."),
    ("Kinh độ và vĩ độ bị đảo chỗ (đổi chỗ thì điểm nằm trong huyện): hãy đổi lại hai giá trị.", "Longitude and latitude are swapped (swapped back, the point lies in the district): swap the two values."),
    ("Điểm nằm ngoài huyện ({a}; chấp nhận tối đa {b} m): kiểm tra tọa độ và hệ tọa độ.", "The point lies outside the district ({a}; at most {b} m accepted): check the coordinates and the coordinate system."),
    ("Mã vụ trùng với dòng {a} của tệp: dòng này bị bỏ.", "The incident id repeats row {a} of the file: this row is dropped."),
    ("Không nhận ra xã này (ghi mã xã, hoặc tên xã có dấu): đã xác định xã theo tọa độ.", "This commune is not recognised (give its code, or its name with diacritics): the commune was taken from the coordinates."),
    ("Tệp ghi xã {a} ({b}) nhưng tọa độ nằm ở {c}: đã dùng xã theo tọa độ, hãy kiểm tra lại.", "The file gives commune {a} ({b}) but the coordinates lie in {c}: the commune of the coordinates was used, please check."),
    ("Dòng không có tọa độ thì phải ghi xã (tên hoặc mã) để ghi nhận vụ việc theo xã.", "A row without coordinates must give its commune (name or code) to be recorded by commune."),
    ("Thiếu tội danh / loại vụ việc.", "The offence is missing."),
    ("Mã tội danh «{a}» chọn để ánh xạ không có trong danh mục.", "Offence code «{a}» chosen for the mapping is not in the taxonomy."),
    ("Không nhận ra tội danh / loại vụ việc: ghi đúng tên trong danh mục hoặc ánh xạ tên này sang một mã tội danh (trang Dữ liệu, hoặc --offence-map TÊN=MÃ).", "The offence is not recognised: write a name of the taxonomy or map this name to an offence code (the Data page, or --offence-map NAME=CODE)."),
    ("Tệp ánh xạ tội danh cần hai cột: value (tên trong sổ) và code (mã tội danh).", "An offence mapping file needs two columns: value (the name in the ledger) and code (the offence code)."),
    ("{a} dòng ánh xạ không dùng được (mã tội danh không có trong danh mục hoặc thiếu tên): {b}.", "{a} mapping rows cannot be used (an offence code not in the taxonomy, or no name): {b}."),
    ("«{a}» không thuộc đơn vị nào của khu vực (kể cả tên cũ trong lịch sử đơn vị).", "«{a}» is no unit of the area (former names in the unit history included)."),
    ("«{a}» ({b}) không còn đơn vị nào tương ứng trong ranh giới đã nhập.", "«{a}» ({b}) has no corresponding unit in the imported boundaries any more."),
    ("«{a}» có thể là {b}: hãy ghi rõ (có dấu, hoặc mã đơn vị).", "«{a}» could be {b}: write it exactly (with diacritics, or the unit's code)."),
    ("Ô bắt buộc để trống.", "A required cell is empty."),
    # files and tables (geo.io.files, geo.io.safety, geo.io.tables, geo.io.geojson)
    ("Không tìm thấy tệp: kiểm tra đường dẫn.", "File not found: check the path."),
    ("Đây là thư mục, không phải tệp.", "This is a folder, not a file."),
    ("Không đọc được tệp (không có quyền hoặc tệp đang bị khóa).", "The file cannot be read (no permission, or the file is locked)."),
    ("Không đọc được tệp (không có quyền hoặc đường dẫn hỏng).", "The file cannot be read (no permission, or a broken path)."),
    ("Đây không phải tệp thông thường (thiết bị, ống dẫn…): không đọc.", "This is not an ordinary file (a device, a pipe…): not read."),
    ("Không giải mã được tệp bằng bảng mã «{a}»: {b}.", "The file cannot be decoded as «{a}»: {b}."),
    ("Tệp UTF-16 bị hỏng: hãy lưu lại ở dạng CSV UTF-8.", "The UTF-16 file is damaged: save it again as CSV UTF-8."),
    ("Không nhận ra bảng mã của tệp: hãy lưu lại ở dạng CSV UTF-8 (Excel: «CSV UTF-8»).", "The file's encoding is not recognised: save it again as CSV UTF-8 (Excel: «CSV UTF-8»)."),
    ("Tệp quá lớn ({a} MB; tối đa {b} MB): hãy tách thành nhiều tệp nhỏ hơn.", "The file is too large ({a} MB; at most {b} MB): split it into smaller files."),
    ("Tệp có quá nhiều dòng ({a}; tối đa {b}): hãy tách thành nhiều tệp nhỏ hơn.", "The file has too many rows ({a}; at most {b}): split it into smaller files."),
    ("Tệp có quá nhiều ô ({a}; tối đa {b}): hãy bỏ các cột thừa hoặc tách tệp.", "The file has too many cells ({a}; at most {b}): drop unneeded columns or split the file."),
    ("Không mở được tệp {a}: tệp hỏng hoặc không phải {b}.", "The {a} file cannot be opened: damaged, or not {b}."),
    ("Tệp {a} có tên thành phần không đọc được (bảng mã hỏng).", "The {a} file has member names that cannot be read (a broken encoding)."),
    ("Tệp {a} chứa quá nhiều thành phần ({b}; tối đa {c}).", "The {a} file holds too many members ({b}; at most {c})."),
    ("Tệp {a} chứa tên thành phần quá dài ({b} ký tự).", "The {a} file holds a member name too long ({b} characters)."),
    ("Tệp {a} chứa đường dẫn không an toàn: «{b}».", "The {a} file holds an unsafe path: «{b}»."),
    ("Tệp {a} chứa tên thành phần có ký tự lạ: «{b}».", "The {a} file holds a member name with odd characters: «{b}»."),
    ("Tệp {a} giải nén ra quá lớn ({b} MB; tối đa {c} MB).", "The {a} file unpacks too large ({b} MB; at most {c} MB)."),
    ("Tệp {a} có thành phần «{b}» nén bất thường ({c} lần; tối đa {d}): có thể là bom nén, không mở.", "The {a} file has member «{b}» compressed abnormally ({c} times; at most {d}): possibly a zip bomb, not opened."),
    ("Định dạng Excel 97–2003 (.xls) chưa hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv.", "The Excel 97–2003 format (.xls) is not supported: save it again as .xlsx or .csv."),
    ("Tệp cần quá nhiều bộ nhớ để đọc: hãy tách thành nhiều tệp nhỏ hơn.", "The file needs too much memory to read: split it into smaller files."),
    ("Tệp chứa ký tự rỗng (NUL): không phải tệp văn bản CSV.", "The file holds NUL characters: it is not a CSV text file."),
    ("Tệp CSV không đọc được ({a}).", "The CSV file cannot be read ({a})."),
    ("Không mở được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx.", "The Excel file (.xlsx) cannot be opened: damaged, or not .xlsx."),
    ("Không có trang tính «{a}»; các trang: {b}.", "There is no sheet «{a}»; the sheets: {b}."),
    ("Không đọc được tệp Excel (.xlsx): tệp hỏng, hoặc có ô không đọc được (số quá lớn, ngày sai).", "The Excel file (.xlsx) cannot be read: damaged, or with unreadable cells (numbers too large, wrong dates)."),
    ("Tệp không có dòng tiêu đề cột nào.", "The file has no header row."),
    ("Dòng có nhiều ô hơn dòng tiêu đề ({a} > {b}): kiểm tra dấu phân cách.", "The row has more cells than the header ({a} > {b}): check the delimiter."),
    ("Đối tượng thứ {a} trong features không phải một Feature (object JSON).", "Object {a} in features is not a Feature (a JSON object)."),
    ("Thuộc tính (properties) của đối tượng không phải object JSON.", "The object's properties are not a JSON object."),
    ("Trường «{a}» không có; các trường: {b}.", "There is no field «{a}»; the fields: {b}."),
    ("Không có cột «{a}» trong tệp; các cột: {b}.", "There is no column «{a}» in the file; the columns: {b}."),
    ("Cột «{a}» là số thứ tự dòng, không phải mã vụ: tháng sau lại bắt đầu từ 1 nên sẽ ghi đè vụ cũ. Bỏ chọn cột mã vụ: hệ thống tạo mã ổn định từ nội dung của dòng.", "Column «{a}» is a row number, not an incident id: next month starts from 1 again and would overwrite older incidents. Leave the id column unchosen: stable ids are made from each row's content."),
    ("Không tìm thấy cột cho: {a}. Các cột của tệp: {b}. Hãy chọn cột tương ứng (trang Dữ liệu) hoặc dùng --map TRƯỜNG=CỘT.", "No column found for: {a}. The file's columns: {b}. Choose the matching columns (the Data page) or use --map FIELD=COLUMN."),
    ("Tệp JSON có quá nhiều phần tử ({a} mảng và object; tối đa {b}): hãy tách thành nhiều tệp nhỏ hơn.", "The JSON file has too many elements ({a} arrays and objects; at most {b}): split it into smaller files."),
    ("Tệp không phải JSON hợp lệ (lỗi ở dòng {a}, cột {b}: {c}).", "The file is not valid JSON (error at line {a}, column {b}: {c})."),
    ("Tệp JSON lồng nhau quá sâu: không phải GeoJSON hợp lệ.", "The JSON file nests too deeply: not valid GeoJSON."),
    ("Tệp JSON chứa giá trị «{a}» (không có trong JSON): hãy ghi số thực hoặc để trống (null).", "The JSON file holds the value «{a}» (not part of JSON): write a real number or leave it empty (null)."),
    ("Tệp không phải JSON hợp lệ ({a}).", "The file is not valid JSON ({a})."),
    ("Tệp JSON không phải GeoJSON (thiếu \"type\": \"FeatureCollection\").", "The JSON file is not GeoJSON (no \"type\": \"FeatureCollection\")."),
    ("Tệp JSON không phải GeoJSON FeatureCollection (features không phải danh sách).", "The JSON file is not a GeoJSON FeatureCollection (features is not a list)."),
    # boundaries and population (geo.io.layers, geo.io.boundary_import, geo.io.population_import)
    ("Không có thuộc tính «{a}»; các thuộc tính: {b}.", "There is no attribute «{a}»; the attributes: {b}."),
    ("Không tìm thấy thuộc tính cho: {a}. Các thuộc tính: {b}. Hãy chọn thuộc tính tương ứng (trang Dữ liệu) hoặc dùng --field code=… name=….", "No attribute found for: {a}. The attributes: {b}. Choose the matching attributes (the Data page) or use --field code=… name=…."),
    ("Tệp cần quá nhiều bộ nhớ để kiểm tra: hãy tách thành nhiều tệp nhỏ hơn.", "The file needs too much memory to check: split it into smaller files."),
    ("Hình học không xử lý được ({a}): kiểm tra tệp trong phần mềm GIS.", "The geometry cannot be processed ({a}): check the file in a GIS program."),
    ("Tệp không có mã đơn vị: đã tạo mã từ tên (vd «Vĩnh Lộc» → «vinhloc»). Nếu có mã chính thức, hãy chọn thuộc tính mã.", "The file has no unit codes: codes were made from the names (e.g. «Vĩnh Lộc» → «vinhloc»). If there are official codes, choose the code attribute."),
    ("Tệp không có vùng (Polygon/MultiPolygon) nào.", "The file has no areas (Polygon/MultiPolygon)."),
    ("Đã bỏ {a} đơn vị nằm ngoài huyện.", "{a} units outside the district were dropped."),
    ("Không có đơn vị nào nằm trong khu vực hiện tại: kiểm tra hệ tọa độ (đang đọc theo {a}); nếu đây là khu vực khác, hãy nhập như một khu vực mới (không giữ khu vực cũ, --new-area).", "No unit lies in the current area: check the coordinate system (reading {a}); if this is another area, import it as a new area (the old one not kept, --new-area)."),
    ("Tọa độ nằm ngoài trái đất khi đọc theo hệ {a}: kiểm tra hệ tọa độ (mã EPSG) và tọa độ của đối tượng này.", "The coordinates fall off the earth when read in {a}: check the coordinate system (EPSG code) and this feature's coordinates."),
    ("Hình học không hợp lệ ({a}): đã sửa bằng make_valid; hãy xem lại ranh giới xã này.", "Invalid geometry ({a}): repaired with make_valid; please review this commune's boundary."),
    ("Mã xã xuất hiện nhiều lần: đã gộp các vùng thành một.", "The commune code appears more than once: its areas were merged into one."),
    ("Thiếu mã đơn vị: mỗi vùng cần một mã (mã GSO ở Việt Nam).", "The unit code is missing: every area needs a code (the GSO code in Vietnam)."),
    ("Mã đơn vị dài quá {a} ký tự: chọn thuộc tính mã khác (vd mã GSO).", "The unit code is longer than {a} characters: choose another code attribute (e.g. the GSO code)."),
    ("Không có dân số: giữ dân số hiện có.", "No population: the current population is kept."),
    ("Chưa có dân số: tỷ lệ trên 1.000 dân của đơn vị này chưa tính được. Nhập bảng dân số (trang Dữ liệu, hoặc python -m geo import population TỆP).", "No population yet: this unit's rate per 1,000 residents cannot be computed. Import a population table (the Data page, or python -m geo import population FILE)."),
    ("Năm dân số không hợp lệ: ghi năm, vd 2022.", "Not a valid population year: write a year, e.g. 2022."),
    ("Ranh giới các xã lệch tới {a} m so với ranh giới huyện: kiểm tra hệ tọa độ hoặc tệp có đúng huyện không.", "The commune boundaries are up to {a} m off the district's boundary: check the coordinate system, or whether the file is of this district."),
    ("Các xã chồng lên nhau: vụ việc ở phần chồng lấn sẽ được gán cho một xã.", "Communes overlap: incidents in the overlap are given to one commune."),
    ("Định dạng ranh giới không hỗ trợ: dùng GeoJSON (.geojson), Shapefile nén (.zip gồm .shp, .shx, .dbf, .prj) hoặc GeoPackage (.gpkg).", "Boundary format not supported: use GeoJSON (.geojson), a zipped Shapefile (.zip with .shp, .shx, .dbf, .prj) or GeoPackage (.gpkg)."),
    ("Tải lên Shapefile dạng .zip gồm .shp, .shx, .dbf và .prj.", "Upload a Shapefile as a .zip holding .shp, .shx, .dbf and .prj."),
    ("Hệ tọa độ «{a}» không xác định: ghi mã EPSG, vd EPSG:5897.", "Coordinate system «{a}» is not known: give an EPSG code, e.g. EPSG:5897."),
    ("Tệp không cho biết hệ tọa độ (Shapefile thiếu .prj?): hãy chọn mã EPSG, vd EPSG:5897 (VN-2000 Thanh Hóa) hoặc EPSG:4326.", "The file does not say its coordinate system (a Shapefile without .prj?): choose an EPSG code, e.g. EPSG:5897 (VN-2000 Thanh Hóa) or EPSG:4326."),
    ("Hệ tọa độ của tệp không dùng được ({a}): hệ tọa độ cục bộ (LOCAL_CS) hoặc không chuyển được sang kinh độ/vĩ độ. Hãy chọn mã EPSG của tệp, vd EPSG:5897 (VN-2000 Thanh Hóa) hoặc EPSG:4326.", "The file's coordinate system cannot be used ({a}): a local system (LOCAL_CS) or not convertible to longitude/latitude. Choose the file's EPSG code, e.g. EPSG:5897 (VN-2000 Thanh Hóa) or EPSG:4326."),
    ("Tọa độ không phải kinh độ/vĩ độ dù tệp ghi hệ địa lý: hãy chọn mã EPSG của hệ phẳng, vd EPSG:5897 (VN-2000) hoặc EPSG:32648 (UTM 48N).", "The coordinates are not longitude/latitude although the file says geographic: choose the projected system's EPSG code, e.g. EPSG:5897 (VN-2000) or EPSG:32648 (UTM 48N)."),
    ("Hình học (geometry) không phải object JSON.", "The geometry is not a JSON object."),
    ("Tệp không có đối tượng (features) nào.", "The file has no features."),
    ("Tệp ghi hệ tọa độ không xác định ({a}). Hãy ghi mã EPSG, ví dụ \"EPSG:4326\" hoặc \"EPSG:5897\" (VN-2000 Thanh Hóa).", "The file gives an unknown coordinate system ({a}). Give an EPSG code, e.g. \"EPSG:4326\" or \"EPSG:5897\" (VN-2000 Thanh Hóa)."),
    ("Hình học không đọc được (type «{a}»): {b}", "The geometry cannot be read (type «{a}»): {b}"),
    ("Hình học không đọc được: kiểm tra tệp trong phần mềm GIS.", "The geometry cannot be read: check the file in a GIS program."),
    ("Tệp không có vùng (Polygon/MultiPolygon) nào{a}. Ranh giới xã phải là vùng.", "The file has no areas (Polygon/MultiPolygon){a}. Commune boundaries must be areas."),
    ("Tệp .zip chứa hai thành phần cùng tên «{a}»: hãy nén riêng một lớp.", "The .zip file holds two members named «{a}»: zip one layer on its own."),
    ("Tệp .zip bị hỏng ({a}).", "The .zip file is damaged ({a})."),
    ("Tệp .zip không chứa .shp, .gpkg hoặc .geojson nào.", "The .zip file holds no .shp, .gpkg or .geojson."),
    ("Tệp .zip chứa nhiều lớp ({a}): hãy nén riêng lớp ranh giới xã.", "The .zip file holds several layers ({a}): zip the commune boundary layer on its own."),
    ("Shapefile thiếu tệp đi kèm: {a}.", "The Shapefile lacks its companion files: {a}."),
    ("Tệp có nhiều lớp ({a}): hãy chọn lớp ranh giới xã.", "The file has several layers ({a}): choose the commune boundary layer."),
    ("Không đọc được tệp ranh giới (tệp hỏng hoặc sai định dạng): {a}", "The boundary file cannot be read (damaged or a wrong format): {a}"),
    ("Tệp không có lớp hình học nào (chỉ có bảng thuộc tính).", "The file has no geometry layer (only an attribute table)."),
    ("Hình học có tọa độ không phải số hữu hạn (NaN hoặc vô hạn): sửa hoặc bỏ đối tượng này.", "The geometry has coordinates that are not finite numbers (NaN or infinite): fix or drop this feature."),
    ("Đơn vị này đã có ở dòng {a}: bỏ dòng lặp.", "This unit is already in row {a}: the repeated row is dropped."),
    ("{a} đơn vị không có trong bảng: {b}.", "{a} units are not in the table: {b}."),
    ("Không có cột «{a}»; các cột: {b}.", "There is no column «{a}»; the columns: {b}."),
    ("Không tìm thấy cột cho: {a}. Các cột của tệp: {b}. Bảng dân số cần một cột mã hoặc tên đơn vị và một cột dân số (--map population=CỘT).", "No column found for: {a}. The file's columns: {b}. A population table needs a column of unit codes or names and a population column (--map population=COLUMN)."),
    ("Tên này khớp nhiều đơn vị: {a}. Hãy ghi mã đơn vị.", "This name matches several units: {a}. Give the unit's code."),
    ("Không có đơn vị này trong ranh giới đã nhập: kiểm tra mã hoặc tên.", "This unit is not in the imported boundaries: check the code or the name."),
    ("Dòng không có mã hay tên đơn vị.", "The row has neither a unit code nor a name."),
    ("Năm không hợp lệ: ghi năm của số liệu dân số, vd 2022.", "Not a valid year: write the year of the population figures, e.g. 2022."),
)  # fmt: skip
"""(Vietnamese template, English template): ``{a}``, ``{b}`` … are the values, the same in both."""

_FRAGMENTS: tuple[tuple[str, str], ...] = (
    (r"cách ranh giới khoảng (\d+),(\d+) km", r"about \1.\2 km from the boundary"),
    (r"cách ranh giới khoảng (.+) km", r"about \1 km from the boundary"),
    (r"^tọa độ sai$", "wrong coordinates"),
    (r"^ngoài mọi xã$", "outside every commune"),
    (r"^hơn ", "more than "),
    (r"^; chỉ có: ", "; only: "),
    (r" hoặc ", " or "),
    (r"^ngày/tháng/năm$", "day/month/year"),
    (r"^tháng/ngày/năm$", "month/day/year"),
    (r"^năm-tháng-ngày$", "year-month-day"),
    (
        r"\(hoặc một cột «(.+)» để ghi nhận vụ việc theo xã, khi sổ không có tọa độ\)",
        r"(or a «\1» column to record incidents by commune when the ledger has no coordinates)",
    ),
)
"""Vietnamese words inside a message's values (a distance, a date order) → English."""


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    # The most specific first: "Không mở được tệp Excel (.xlsx): …" before "Không mở được tệp {a}: …".
    by_literal = sorted(_TEMPLATES, key=lambda pair: -len(re.sub(r"\{\w\}", "", pair[0])))
    for vietnamese, english in by_literal:
        pieces = re.split(r"\{(\w)\}", vietnamese)
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)" for index, piece in enumerate(pieces)
        )
        compiled.append((re.compile(f"^{regex}$", re.DOTALL), english))
    return tuple(compiled)


def english(message: str) -> str:
    """Return an importer's Vietnamese ``message`` in English, or as written when no template matches.

    Examples
    --------
    >>> english("Mã vụ trùng với dòng 4 của tệp: dòng này bị bỏ.")
    'The incident id repeats row 4 of the file: this row is dropped.'
    >>> english("Điểm nằm ngoài huyện (cách ranh giới khoảng 3,2 km; chấp nhận tối đa 500 m): kiểm tra tọa độ và hệ tọa độ.")
    'The point lies outside the district (about 3.2 km from the boundary; at most 500 m accepted): check the coordinates and the coordinate system.'
    >>> english("Something else.")
    'Something else.'
    """
    for pattern, template in _patterns():
        found = pattern.match(message)
        if found is not None:
            return template.format(**{k: _values(v) for k, v in found.groupdict().items()})
    return message


def in_language(message: str, lang: str) -> str:
    """Return ``message`` in ``lang``: Vietnamese as written, English through `english`."""
    return message if lang == "vi" else english(message)


def _values(text: str) -> str:
    for vietnamese, english_text in _FRAGMENTS:
        text = re.sub(vietnamese, english_text, text)
    return text

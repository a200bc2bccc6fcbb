"""Bytes and text of an input file: read once, size-checked by the caller, decoded in any Vietnamese encoding."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from geo._errors import DataError
from geo.io.safety import check_size, file_size


def read_bytes(source: bytes | Path, *, name: str, max_bytes: int | None = None) -> bytes:
    """Return the bytes of an upload or a file, refusing one over ``max_bytes`` before reading it.

    Raises
    ------
    DataError
        The file is missing, unreadable, or larger than ``max_bytes`` (its size on disk is checked
        first, so a large file is never read into memory).
    """
    if max_bytes is not None:
        check_size(file_size(source, name=name), name=name, limit=max_bytes)
    if not isinstance(source, Path):
        return source if type(source) is bytes else bytes(source)
    try:
        data = source.read_bytes()
    except FileNotFoundError as exc:
        raise DataError("Không tìm thấy tệp: kiểm tra đường dẫn.", file=name) from exc
    except IsADirectoryError as exc:
        raise DataError("Đây là thư mục, không phải tệp.", file=name) from exc
    except OSError as exc:
        raise DataError("Không đọc được tệp (không có quyền hoặc tệp đang bị khóa).", file=name) from exc
    if max_bytes is not None:
        # A file that grew between the check and the read (or a device that reports no size).
        check_size(len(data), name=name, limit=max_bytes)
    return data


def decode_text(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file and return ``(text in NFC, encoding used)``.

    UTF-8 (with or without BOM) and UTF-16 with BOM are recognised; otherwise Windows-1258
    (Vietnamese) is preferred to Windows-1252 whenever it yields Vietnamese letters.
    """
    if encoding:
        try:
            return unicodedata.normalize("NFC", data.decode(encoding)), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise DataError(f"Không giải mã được tệp bằng bảng mã «{encoding}»: {exc}.", file=name) from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return unicodedata.normalize("NFC", data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError("Tệp UTF-16 bị hỏng: hãy lưu lại ở dạng CSV UTF-8.", file=name) from exc
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    vietnamese = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    if _looks_vietnamese(vietnamese) and "\ufffd" not in vietnamese:
        return vietnamese, "cp1258"
    best = charset_normalizer.from_bytes(data, cp_isolation=["cp1258", "cp1252"]).best()
    if best is None:
        raise DataError(
            "Không nhận ra bảng mã của tệp: hãy lưu lại ở dạng CSV UTF-8 (Excel: «CSV UTF-8»).", file=name
        )
    return unicodedata.normalize("NFC", str(best)), best.encoding


def _looks_vietnamese(text: str) -> bool:
    """Return True when ``text`` holds letters only Vietnamese uses (ă, ơ, ư, đ, and the tone-marked ones)."""
    return any(ch in "ăâđêôơưĂÂĐÊÔƠƯ" or "\u1ea0" <= ch <= "\u1ef9" for ch in text)

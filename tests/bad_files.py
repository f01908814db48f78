"""Non-CSV payloads that users rename to .csv, shared by the unit and page tests."""

import io
import zipfile

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 8


def zipped(*names: str) -> bytes:
    """A zip archive holding ``names`` (e.g. an Excel workbook's parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()

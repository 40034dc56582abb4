"""Spreadsheets crafted to unpack to far more than their size (decompression bombs), written
streaming so that making one costs little memory. Used by the tests and by
scripts/measure_sheet_bomb.py."""

import io
import zipfile

MB = 1024 * 1024
HEADERS = ["NIK", "Nama Lengkap", "Kategori", "Penghasilan", "Sumber Dana"]
ROW = ["3523120801900001", "Sutrisno", "Pekerja rentan", "1.000.000", "Dana Desa"]


_CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>
</Relationships>"""
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(rows: int) -> bytes:
    """`rows` rows whose cells are the shared strings 0, 1, 2, ... in order."""
    lines = []
    for number in range(1, rows + 1):
        cells = "".join(
            f'<c r="{chr(65 + column)}{number}" t="s"><v>{(number - 1) * len(HEADERS) + column}'
            "</v></c>"
            for column in range(len(HEADERS))
        )
        lines.append(f'<row r="{number}">{cells}</row>')
    return (
        b"<worksheet "
        + _MAIN
        + b"><sheetData>"
        + "".join(lines).encode()
        + b"</sheetData></worksheet>"
    )


def xlsx_bomb(unpacked_mb: int, *, rows=(HEADERS, ROW), extra: bytes = b"A") -> bytes:
    """A valid workbook (the headings and one row, as shared strings) whose shared strings also
    hold one string of `unpacked_mb` MB of `extra` repeated, deflated at about 1000:1 for "A": a
    300 MB bomb is a 300 kB file. Written streaming: making it costs a megabyte of memory."""
    strings = b"".join(f"<si><t>{cell}</t></si>".encode() for row in rows for cell in row)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        out.writestr("[Content_Types].xml", _CONTENT_TYPES)
        out.writestr("_rels/.rels", _ROOT_RELS)
        out.writestr("xl/workbook.xml", _WORKBOOK)
        out.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        out.writestr("xl/worksheets/sheet1.xml", _sheet(len(rows)))
        with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b"<sst " + _MAIN + b">" + strings)
            if unpacked_mb:
                part.write(b"<si><t>")
                chunk = (extra * MB)[:MB]
                for _ in range(unpacked_mb):
                    part.write(chunk)
                part.write(b"</t></si>")
            part.write(b"</sst>")
    return buffer.getvalue()


def xlsx_lying_sizes(unpacked_mb: int) -> bytes:
    """The bomb with its zip directory claiming the shared strings unpack to 1 kB."""
    content = bytearray(xlsx_bomb(unpacked_mb))
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("xl/sharedStrings.xml")
    # Patch the central directory entry's uncompressed size (offset 24 in the entry).
    signature = b"PK\x01\x02"
    position = content.find(signature)
    while position >= 0:
        name_length = int.from_bytes(content[position + 28 : position + 30], "little")
        name = bytes(content[position + 46 : position + 46 + name_length])
        if name == info.filename.encode():
            content[position + 24 : position + 28] = (1024).to_bytes(4, "little")
        position = content.find(signature, position + 4)
    return bytes(content)

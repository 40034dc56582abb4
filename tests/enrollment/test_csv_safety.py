"""Spreadsheets written and read as CSV: every part of a cell that would start a formula after
a separator is neutralised (the file may be opened with another separator), and a file that
mixes UTF-8 with other bytes is refused instead of read with garbled names."""

import csv
import io

import pytest

from enrollment import importing
from sheets.reading import ImportRefused
from sheets.writing import SheetWriter, neutralize

HEADER = "NIK;Nama Lengkap;Kategori;Penghasilan;Sumber Dana\r\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Budi,=1+1,", "Budi,'=1+1,"),
        ("Budi;+62812", "Budi;'+62812"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("baris\n=HYPERLINK(1)", "baris\n'=HYPERLINK(1)"),
        ("Jl. Merdeka, - 5", "Jl. Merdeka, - 5"),
        ("0812-3456-7890", "0812-3456-7890"),
    ],
)
def test_a_formula_after_any_separator_is_neutralised(value, written):
    assert neutralize(value) == written


@pytest.mark.parametrize("delimiter", [",", "\t", "|"])
def test_a_csv_export_opened_with_another_separator_holds_no_formula(delimiter):
    """Written with semicolons, the cell is not quoted: read with commas, tabs or bars, each
    part is a cell of its own."""
    writer = SheetWriter("csv", delimiter=";")
    writer.header(["Nama"])
    writer.row(["Budi,=1+1,+2\t@3|-4"])
    text = writer.close().decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), cell


def test_a_csv_mixing_utf8_and_windows_1252_is_refused():
    content = (
        HEADER.encode()
        + "3523120801900001;Ayu Séri;Rentan;1;DD\r\n".encode()
        + "3523120801900002;José;Rentan;1;DD\r\n".encode("cp1252")
    )
    with pytest.raises(ImportRefused) as caught:
        importing.inspect_file(
            io.BytesIO(content), name="d.csv", size=len(content), village_column=False
        )
    assert caught.value.code == "mixed_encoding"


def test_a_plain_windows_1252_csv_is_still_read():
    content = (HEADER + "3523120801900002;José Dúarte;Rentan;1;DD\r\n").encode("cp1252")
    layout = importing.inspect_file(
        io.BytesIO(content), name="d.csv", size=len(content), village_column=False
    )
    [row] = importing.read_rows(io.BytesIO(content), layout)
    assert row.cells[1] == "José Dúarte"


def test_a_csv_with_the_utf8_mark_and_a_bad_byte_is_refused():
    content = b"\xef\xbb\xbf" + (HEADER + "3523120801900002;Jos\xe9;Rentan;1;DD\r\n").encode(
        "latin-1"
    )
    with pytest.raises(ImportRefused) as caught:
        importing.inspect_file(
            io.BytesIO(content), name="d.csv", size=len(content), village_column=False
        )
    assert caught.value.code == "mixed_encoding"

"""Write the small hostile upload files of this folder (run once; the output is committed).

``python tests/data/hostile/make_files.py`` rewrites every file. Large files (over a
million rows, over 150 MB, very long lines) are not committed: the tests generate them
(see ``tests/apptest/test_hostile_uploads.py``). What each file must do is listed there.
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = "x,y\n1,2\n3,4\n5,6\n7,8\n"
# A pixel on a port nothing listens on: if it were ever rendered, the browser test sees
# the request attempt; nothing leaves the machine.
PIXEL = "![pixel](http://127.0.0.1:9/pixel.png)"
DDE = "\"=cmd|' /C calc'!A0\""
# If anything ever evaluated a cell, this file would appear (the tests look for it).
CODE = "__import__('os').system('touch /tmp/hostile_pwned')"


def numeric_rows(header: str, n: int = 6, cols: int = 2) -> str:
    """``header`` then ``n`` rows of small numbers in ``cols`` columns."""
    lines = [header] + [",".join(str(i * cols + j) for j in range(cols)) for i in range(n)]
    return "\n".join(lines) + "\n"


def text_files() -> dict[str, str]:
    """Hostile files that are (mostly) valid text."""
    f = {
        # structure
        "whitespace_only.csv": "   \n\t \n  \n",
        "newlines_only.csv": "\n" * 50,
        "header_only.csv": "a,b,c\n",
        "one_row.csv": "a,b\n1,2\n",
        "ragged_rows.csv": "a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n1,2,3\n",
        "unclosed_quote.csv": 'a,b\n1,"2\n3,4\n5,6\n',
        "only_delimiters.csv": ",,,\n,,,\n,,,\n",
        "duplicate_names.csv": "a,a,a\n1,2,3\n4,5,6\n7,8,9\n",
        "empty_names.csv": ",,\n1,2,3\n4,5,6\n7,8,9\n",
        "single_column.csv": "v\n" + "\n".join(str(i) for i in range(20)) + "\n",
        "cr_only_endings.csv": ROWS.replace("\n", "\r"),
        "mixed_endings.csv": "x,y\r\n1,2\n3,4\r5,6\r\n7,8\n",
        "quoted_newlines.csv": 'x,y,note\n1,2,"line\none"\n3,4,"two\n\nlines"\n5,6,ok\n',
        "html_page.csv": "<!doctype html><html><body><table><tr><td>1</td></tr></table>"
        "<script>alert(1)</script></body></html>\n",
        "json_renamed.csv": '[{"x": 1, "y": 2}, {"x": 3, "y": 4}]\n',
        "xml_renamed.csv": '<?xml version="1.0"?><rows><r x="1" y="2"/></rows>\n',
        "six_hundred_columns.csv": numeric_rows(",".join(f"c{i}" for i in range(600)), 3, 600),
        "semicolon_in_comma_file.csv": "a;b,c\n1;2,3\n4;5,6\n7;8,9\n",
        # values
        "infinite_values.csv": "x,y\n1,2\ninf,4\n5,-inf\n7,8\n",
        "max_float.csv": "x,y\n1.7976931348623157e308,1\n-1.7976931348623157e308,2\n0,3\n",
        "overflow_literal.csv": "x,y\n1e400,1\n2,2\n3,3\n",
        "huge_but_finite.csv": "x,y\n1e200,1\n2,2\n3,3\n",
        "subnormal.csv": "x,y\n1e-320,1\n2e-320,2\n0,3\n5e-324,4\n",
        "nan_spellings.csv": "x,y\nNaN,1\nnan,2\nNULL,3\nN/A,4\n,5\n6,7\n8,9\n",
        "five_thousand_digits.csv": "x,y\n" + "9" * 5000 + ",1\n1,2\n3,4\n",
        "long_decimals.csv": "x,y\n0." + "1" * 5000 + ",1\n1,2\n3,4\n",
        "hex_numbers.csv": "x,y\n0x1F,0xFF\n0x10,0x20\n0x1,0x2\n",
        "thousands_separators.csv": 'x,y\n"1,234","5,678"\n"2,000","3,000"\n"4,5","6,7"\n',
        "booleans.csv": "x,y\ntrue,false\nfalse,true\nTrue,False\n",
        "dates.csv": "when,y\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n",
        "percentages.csv": "x,y\n10%,1\n20%,2\n30%,3\n",
        "all_missing.csv": "x,y\n,\n,\n,\n",
        "constant_column.csv": "x,y\n1,1\n1,2\n1,3\n1,4\n",
        "mixed_types.csv": "x,y\n1,a\n2,3\nb,4\n5,6\n",
        "negative_zero.csv": "x,y\n-0,0\n0,-0.0\n1,1\n",
        "many_classes_label.csv": "x,y,label\n"
        + "".join(f"{i},{i % 7},class{i}\n" for i in range(300)),
        # injection: HTML, markdown, LaTeX, Streamlit directives, formulas, code
        "html_script_names.csv": numeric_rows("<script>alert('x')</script>,<b>bold</b>"),
        "img_onerror_names.csv": numeric_rows("<img src=x onerror=alert(1)>,y"),
        "markdown_image_names.csv": numeric_rows(f"{PIXEL},y"),
        "markdown_link_names.csv": numeric_rows("[click me](javascript:alert(1)),y"),
        "markdown_heading_names.csv": numeric_rows("# Big heading,**bold** _it_"),
        "latex_names.csv": numeric_rows("$\\href{javascript:alert(1)}{x}$,$$\\frac{1}{0}$$"),
        "streamlit_directive_names.csv": numeric_rows(":red[danger],:material/warning: y"),
        "markdown_image_text_column.csv": "x,y,note\n"
        + "".join(f"{i},{i * 2},{PIXEL}\n" for i in range(6)),
        "script_text_only.csv": "a,b\n<script>alert(1)</script>,<img src=x onerror=alert(2)>\n"
        "<iframe src=javascript:alert(3)>,x\n",
        "formula_values.csv": "x,y,label\n1,2,=1+2\n3,4,+cmd\n5,6,-2+3\n7,8,@SUM(A1)\n9,10,=1+2\n",
        "formula_names.csv": numeric_rows('=HYPERLINK("http://127.0.0.1:9"),+y'),
        "dde_payload.csv": f"x,y,label\n1,2,{DDE}\n3,4,a\n5,6,{DDE}\n",
        "python_code_cells.csv": f"x,y,label\n1,2,{CODE}\n3,4,eval('1+1')\n5,6,{CODE}\n",
        "python_code_names.csv": numeric_rows("__import__('os').system('id'),y"),
        "very_long_name.csv": numeric_rows("n" * 10_000 + ",y"),
        "rtl_override_names.csv": numeric_rows("\u202eevil\u202c,zero\u200bwidth"),
        "emoji_names.csv": numeric_rows("\U0001f600 happy,\U0001f4a9"),
        "newline_in_name.csv": 'x,"two\nlines"\n1,2\n3,4\n5,6\n',
        "null_name_strings.csv": numeric_rows("None,null"),
        "template_names.csv": numeric_rows("{{7*7}},${7*7}"),
        "path_traversal_names.csv": numeric_rows("../../etc/passwd,C:\\Windows\\win.ini"),
        # refused files whose names end up in the error message
        "markdown_names_text_only.csv": f"{PIXEL},[click me](javascript:alert(1))\na,b\nc,d\n",
        "markdown_names_header_only.csv": f"{PIXEL},:red[danger]\n",
    }
    return f


def byte_files() -> dict[str, bytes]:
    """Hostile files that are not (plain UTF-8) text."""
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr(zipfile.ZipInfo("data.csv", date_time=(2026, 1, 1, 0, 0, 0)), ROWS)
    return {
        "empty.csv": b"",
        "bom_only.csv": b"\xef\xbb\xbf",
        "utf16_le_bom.csv": ROWS.encode("utf-16"),
        "utf16_be_bom.csv": b"\xfe\xff" + ROWS.encode("utf-16-be"),
        "utf16_no_bom.csv": ROWS.encode("utf-16-le"),
        "utf32_bom.csv": ROWS.encode("utf-32"),
        "latin1_names.csv": "température,poids\n1,2\n3,4\n5,6\n".encode("latin-1"),
        "cp1252_quotes.csv": "\u201cx\u201d,y\n1,2\n3,4\n5,6\n".encode("cp1252"),
        "mixed_encodings.csv": "café,y\n1,2\n".encode() + "thé,4\n5,6\n".encode("latin-1"),
        "gzip_renamed.csv": gzip.compress(ROWS.encode(), mtime=0),
        "zip_renamed.csv": zbuf.getvalue(),
        "bz2_renamed.csv": bz2.compress(ROWS.encode()),
        "xlsx_renamed.csv": b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + bytes(64),
        "xls_ole_renamed.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "png_renamed.csv": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "pdf_renamed.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "elf_binary.csv": b"\x7fELF\x02\x01\x01" + bytes(120),
        "random_bytes.csv": bytes((i * 7919 + 13) % 256 for i in range(4096)),
        "nul_in_rows.csv": b"x,y\n1,2\n3\x00,4\n5,6\n7,8\n",
        "all_nul.csv": bytes(1024),
        "invalid_utf8.csv": b"x,y\n1,2\n\xff\xfe\xfa,4\n5,6\n",
        "control_chars.csv": b"x,y\n1,2\n\x1b[31m3,4\n5,\x076\n7,8\n",
    }


def main() -> None:
    """Write every file (text as UTF-8 exactly as given, newlines untouched)."""
    for name, text in text_files().items():
        (HERE / name).write_bytes(text.encode("utf-8"))
    for name, data in byte_files().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()

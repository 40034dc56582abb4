"""Peak memory of reading crafted spreadsheets through the portal's reader (sheets.guard).

Each case runs in a fresh Python process; the figure is that process's peak resident memory
(ru_maxrss), the interpreter and Django included. Usage:

    DJANGO_SETTINGS_MODULE=portal.settings .venv/bin/python \
        scripts/measure_sheet_bomb.py [--unguarded]

--unguarded also reads the 300 MB bomb the way the portal did before the guard (openpyxl's
read-only reader without the check), to compare.
"""

import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(case: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from enrollment import importing
    from sheets import reading
    from tests import bombs

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kind, _, size = case.partition(":")
    if kind == "legit":
        rows = [bombs.HEADERS] + [
            [f"35231208019{n:05d}", f"Warga Nomor {n}", "Pekerja rentan", "1000000", "Dana Desa"]
            for n in range(int(size))
        ]
        content = bombs.xlsx_bomb(0, rows=rows)
    elif kind == "lying":
        content = bombs.xlsx_lying_sizes(int(size))
    else:
        content = bombs.xlsx_bomb(int(size))
    made = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    outcome = "read"
    try:
        if kind == "unguarded":
            file = io.BytesIO(content)
            reader = reading._plain_text_reader()(file, read_only=True, data_only=True)
            reader.read()
        else:
            layout = importing.inspect_file(
                io.BytesIO(content), name="bom.xlsx", size=len(content), village_column=False
            )
            sum(1 for _row in importing.read_rows(io.BytesIO(content), layout))
    except importing.ImportRefused as refusal:
        outcome = f"refused ({refusal.code})"
    except Exception as error:  # noqa: BLE001 - reported, this is a measurement
        outcome = f"error ({type(error).__name__})"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "case": case,
                "file_kb": round(len(content) / 1024),
                "outcome": outcome,
                "seconds": round(time.monotonic() - started, 2),
                "baseline_mb": round(baseline / 1024),
                "after_making_mb": round(made / 1024),
                "peak_mb": round(peak / 1024),
            }
        )
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
        return
    cases = ["legit:20000", "bomb:300", "bomb:1000", "lying:300"]
    if "--unguarded" in sys.argv:
        cases.append("unguarded:300")
    for case in cases:
        subprocess.run([sys.executable, __file__, "--child", case], check=False)


if __name__ == "__main__":
    main()

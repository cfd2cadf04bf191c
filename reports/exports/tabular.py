"""CSV and XLSX from a Table: CSV a line at a time (every field quoted), XLSX in openpyxl's write-only
mode (rows go straight to the file's XML stream). Both neutralise formula cells."""

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from reports.exports.deid import safe_cell
from reports.exports.rows import Table

Tick = Callable[[int], None]  # called with the number of rows written so far


def _no_tick(done: int) -> None:
    return None


def _safe(row: list[Any]) -> list[Any]:
    # Only text can be read as a formula; csv writes None as an empty field by itself.
    return [safe_cell(v) if v.__class__ is str else v for v in row]


def _counted(table: Table, tick: Tick, every: int) -> Iterator[list[Any]]:
    """The table's rows made safe, calling `tick` every `every` rows and once at the end."""
    done = 0
    for row in table.rows:
        yield _safe(row)
        done += 1
        if done % every == 0:
            tick(done)
    tick(done)


def _writer(out: Any) -> Any:
    return csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def csv_lines(table: Table, tick: Tick = _no_tick, every: int = 1000, batch: int = 500) -> Iterator[str]:
    """The table as CSV text (header first, every field quoted), `batch` rows per piece: for a streamed
    response, whose memory stays one batch however long the table."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow(table.header)
    pending = 1
    for row in _counted(table, tick, every):
        writer.writerow(row)
        pending += 1
        if pending >= batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def write_csv(path: Path, table: Table, tick: Tick = _no_tick, every: int = 1000) -> int:
    """Write the CSV straight to the file; returns the rows written (header not counted)."""
    written = 0

    def counting() -> Iterator[list[Any]]:
        nonlocal written
        for row in _counted(table, tick, every):
            written += 1
            yield row

    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")  # a BOM, so Excel opens UTF-8 (accents in programs, payers) as UTF-8
        writer = _writer(out)
        writer.writerow(table.header)
        writer.writerows(counting())
    return written


SHEET_ROWS = 1_048_575  # rows a sheet holds under its header (Excel's limit is 1,048,576)


def write_xlsx(
    path: Path,
    table: Table,
    tick: Tick = _no_tick,
    every: int = 1000,
    title: str = "Report",
    sheet_rows: int = SHEET_ROWS,
) -> int:
    """Write the workbook; a table longer than a sheet goes on over further sheets ("Records (2)", …),
    each with the header. Returns the rows written."""
    book = Workbook(write_only=True)
    sheets = [book.create_sheet(title=title[:25])]
    sheets[0].append(table.header)
    done = 0
    try:
        # openpyxl stores a string starting with "=" as a formula: _safe turns it into text first.
        for row in _counted(table, tick, every):
            if done and done % sheet_rows == 0:
                sheets.append(book.create_sheet(title=f"{title[:25]} ({len(sheets) + 1})"))
                sheets[-1].append(table.header)
            sheets[-1].append(row)
            done += 1
    except BaseException:
        # A cancel or a failure: finish each sheet's XML stream and delete its temporary file now, not
        # whenever the garbage collector gets to them.
        for sheet in sheets:
            sheet.close()
            sheet._writer.cleanup()
        raise
    book.save(path)
    return done

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


class _Line:
    """A file-like that hands back what csv.writer wrote, so each row becomes one string."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def take(self) -> str:
        value = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return value


def _text(value: Any) -> Any:
    return "" if value is None else safe_cell(value)


def csv_lines(table: Table, tick: Tick = _no_tick, every: int = 1000) -> Iterator[str]:
    """The table as CSV lines (header first), each field quoted; `tick` every `every` rows and at the end."""
    line = _Line()
    writer = csv.writer(line.buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(table.header)
    yield line.take()
    done = 0
    for row in table.rows:
        writer.writerow([_text(v) for v in row])
        yield line.take()
        done += 1
        if done % every == 0:
            tick(done)
    tick(done)


def write_csv(path: Path, table: Table, tick: Tick = _no_tick, every: int = 1000) -> int:
    """Write the CSV; returns the rows written (header not counted)."""
    written = -1
    with path.open("w", encoding="utf-8", newline="") as out:
        # A BOM so Excel opens UTF-8 (accents in names, programs) as UTF-8.
        out.write("\ufeff")
        for text in csv_lines(table, tick, every):
            out.write(text)
            written += 1
    return written


def write_xlsx(
    path: Path, table: Table, tick: Tick = _no_tick, every: int = 1000, title: str = "Report"
) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(table.header)
    done = 0
    for row in table.rows:
        # openpyxl stores a string starting with "=" as a formula: safe_cell turns it into text first.
        sheet.append([safe_cell(v) for v in row])
        done += 1
        if done % every == 0:
            tick(done)
    tick(done)
    book.save(path)
    return done

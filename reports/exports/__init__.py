"""Report exports: what leaves Attune, at which level of identification, in which format.

    deid.py      pseudonymous ids, dates to the year, small-cell suppression, spreadsheet-safe cells
    rows.py      the rows of each export: the summary (one per measure) and records (one per session)
    tabular.py   CSV (streamed, every field quoted) and XLSX (openpyxl write-only)
    copy_csv.py  records as CSV on PostgreSQL, each line made by the database (what jobs use there)
    pdf.py       the summary as a PDF (reportlab): the page's tables and a sparkline per measure
    fhir.py      FHIR R4: a MeasureReport per measure; record-level Bundles of responses and scores

Every writer takes an iterator of rows and a `progress` callback, so the background job (reports.jobs)
can count rows, stop when cancelled, and keep memory flat however many rows there are."""

"""The consolidated report: versions, workbook, Word, HTML, charts, summaries."""

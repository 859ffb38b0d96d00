"""The report as the Department files it: a Word document (Nghị định 30/2020/NĐ-CP layout),
a self-contained HTML page (also the e-mail body) and PNG charts, all from
:class:`tasks.report_model.ReportContent`."""

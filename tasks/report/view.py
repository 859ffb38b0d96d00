"""The report's text and tables in Vietnamese, written from the data once for every renderer.

:func:`build_view` turns a :class:`ReportContent` (and, when known, the previous period's
province values) into a :class:`ReportView`: plain strings and rows, no markup. The Word
and HTML renderers only lay them out (and escape them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from config.settings import DEFAULT_TIMEZONE
from tasks.model.report import (
    PROVINCE,
    STATUS_MET,
    STATUS_NOT_MET,
    IndicatorValue,
    ReportContent,
    TaskProgressRow,
)
from tasks.model.submission import STATUS_DONE
from tasks.model.vocabulary import (
    IDX766_PREFIX,
    ON_TIME,
    ONLINE_FILING,
    PORTAL_INDICATORS,
    STATE_LATE,
    STATE_MISSING,
    STATE_WAITING,
    SUBMISSION,
    SUBMISSION_ON_TIME,
    TASK_COMPLETION,
)
from tasks.report import vietnamese as vi
from tasks.report.letterhead import Letterhead
from tasks.report.par_annex import Annex, par_annex
from tasks.report.text_safety import one_line
from tasks.report.trend_notes import trend_notes

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUBTITLE = "Độc lập - Tự do - Hạnh phúc"
DOCUMENT_TYPE = "BÁO CÁO"

@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    number: str  # "I"
    title: str
    paragraphs: list[str]
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # chart keys, see tasks.report.charts
    notes: list[str] = field(default_factory=list)  # paragraphs after the tables


@dataclass(frozen=True)
class ReportView:
    period: str
    period_phrase: str
    issuing_parent: str
    issuing_body: str
    number_line: str
    place_date: str
    summary_line: str
    sections: list[Section]
    recipients: list[str]
    signer_capacity: str
    signer_title: str
    signer_name: str
    motto: str = MOTTO
    motto_subtitle: str = MOTTO_SUBTITLE
    document_type: str = DOCUMENT_TYPE
    # after the signature, each from a new page (a year's report: the CCHC index)
    annexes: list[Annex] = field(default_factory=list)


def build_view(content: ReportContent, letterhead: Letterhead | None = None, *,
               previous: Sequence[IndicatorValue] = (), timezone: str = DEFAULT_TIMEZONE,
               ) -> ReportView:
    """Everything the report says, from ``content`` (``previous``: the period before)."""
    head = letterhead or Letterhead()
    phrase = vi.period_phrase(content.period)
    issued = _local(content.generated_at, timezone).date()
    builder = _Builder(content, head, previous, phrase)
    return ReportView(
        period=content.period, period_phrase=phrase,
        issuing_parent=one_line(head.issuing_parent), issuing_body=one_line(head.issuing_body),
        number_line=one_line(head.number_line), place_date=vi.place_and_date(one_line(head.place),
                                                                           issued),
        summary_line=f"Kết quả thực hiện công tác cải cách hành chính {phrase}",
        sections=builder.sections(),
        recipients=[one_line(r) for r in head.recipient_lines()],
        signer_capacity=one_line(head.signer_capacity), signer_title=one_line(head.signer_title),
        signer_name=one_line(head.signer_name),
        annexes=[par_annex(content.par_index, phrase)] if content.par_index else [],
    )


def _local(moment: datetime, timezone: str) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(ZoneInfo(timezone))


def is_done(task: TaskProgressRow) -> bool:
    return task.status == STATUS_DONE


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Builder:
    def __init__(self, content: ReportContent, head: Letterhead,
                 previous: Sequence[IndicatorValue], phrase: str) -> None:
        self.c = content
        self.head = head
        self.phrase = phrase
        self.province = {v.indicator: v for v in content.indicators if v.unit == PROVINCE}
        self.previous = {v.indicator: v for v in previous if v.unit == PROVINCE}

    # ------------------------------------------------------------------ helpers

    def name(self, indicator: str) -> str:
        return one_line(self.c.indicator_names.get(indicator, indicator))

    def unit_name(self, unit: str) -> str:
        return one_line(self.c.unit_names.get(unit, unit))

    def is_rate(self, indicator: str) -> bool:
        return self.c.indicator_kinds.get(indicator, "rate") == "rate"

    def value_text(self, item: IndicatorValue | None) -> str:
        if item is None:
            return vi.NO_DATA
        if self.is_rate(item.indicator):
            return vi.percent(item.value)
        return vi.number(item.value)

    def target_text(self, item: IndicatorValue) -> str:
        if item.target is None:
            return ""
        op = vi.comparison(item.target_op)
        value = (vi.percent(item.target) if self.is_rate(item.indicator)
                 else vi.number(item.target))
        return f"{op} {value}".strip()

    def change_text(self, item: IndicatorValue) -> str:
        before = self.previous.get(item.indicator)
        if before is None:
            return ""
        if self.is_rate(item.indicator):
            return vi.change_in_points(item.value, before.value) or ""
        return vi.change_in_count(item.value, before.value) or ""

    def sections(self) -> list[Section]:
        return [self.overall(), self.tasks(), self.submissions(), self.portal(), self.issues()]

    # ------------------------------------------------------------------ I

    def overall(self) -> Section:
        start, end = self.c.window
        paragraphs = [
            f"Thực hiện chế độ báo cáo định kỳ về công tác cải cách hành chính (CCHC), "
            f"{one_line(self.head.issuing_name)} báo cáo kết quả thực hiện công tác CCHC "
            f"{self.phrase} của tỉnh {one_line(self.c.province_name)} (số liệu từ ngày "
            f"{vi.short_date(start)} đến ngày {vi.short_date(end)}) như sau:"
        ]
        shown = [v for code, v in self._ordered_province() if not code.startswith(IDX766_PREFIX)]
        with_target = [v for v in shown if v.status in (STATUS_MET, STATUS_NOT_MET)]
        met = [v for v in with_target if v.status == STATUS_MET]
        not_met = [v for v in with_target if v.status == STATUS_NOT_MET]
        if with_target:
            sentence = (f"Toàn tỉnh đạt {len(met)}/{len(with_target)} chỉ tiêu có mục tiêu "
                        f"trong {self.phrase}.")
            if not_met:
                sentence += " Các chỉ tiêu chưa đạt: " + "; ".join(
                    f"{self.name(v.indicator)} ({self.value_text(v)}, chỉ tiêu "
                    f"{self.target_text(v)})" for v in not_met) + "."
            paragraphs.append(sentence)
        elif not shown:
            paragraphs.append(f"Chưa có số liệu chỉ tiêu nào của toàn tỉnh trong {self.phrase}.")
        changes = [(v, self.change_text(v)) for v in shown]
        changes = [(v, text) for v, text in changes if text]
        if changes:
            paragraphs.append("So với kỳ trước: " + "; ".join(
                f"{self.name(v.indicator)} {text}" for v, text in changes) + ".")
        rows = [[str(i), self.name(v.indicator), self.value_text(v), self.target_text(v),
                 one_line(v.status)] + ([self.change_text(v)] if self.previous else [])
                for i, v in enumerate(shown, start=1)]
        headers = ["STT", "Chỉ tiêu", "Kết quả", "Chỉ tiêu giao", "Đánh giá"]
        if self.previous:
            headers.append("So với kỳ trước")
        tables = [Table(headers, rows, "Kết quả các chỉ tiêu của toàn tỉnh")]
        notes = trend_notes(self.c.trend)
        if len({row.period for row in self.c.trend}) < 2 and not any(
                self.previous.get(code) is not None and self.previous[code].value is not None
                   and self.province.get(code) is not None
                   and self.province[code].value is not None for code in (ONLINE_FILING, ON_TIME)):
            notes.append("Chưa có số liệu kỳ trước về tỷ lệ hồ sơ trực tuyến và giải quyết "
                         "đúng hạn nên chưa vẽ biểu đồ xu hướng.")
        return Section("I", "KẾT QUẢ CHUNG", paragraphs, tables if rows else [], ["trend"],
                       notes)

    def _ordered_province(self) -> list[tuple[str, IndicatorValue]]:
        order = {code: i for i, code in enumerate(self.c.indicator_names)}
        return sorted(self.province.items(), key=lambda kv: order.get(kv[0], len(order)))

    # ------------------------------------------------------------------ II

    def tasks(self) -> Section:
        tasks = self.c.tasks
        if not tasks:
            return Section("II", "TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ THEO LĨNH VỰC",
                           ["Không có nhiệm vụ nào được theo dõi trong kỳ."])
        done = sum(1 for t in tasks if is_done(t))
        overdue = [t for t in tasks if t.overdue]
        distinct = len({t.task_id for t in tasks})
        paragraphs = [
            f"Theo dõi {distinct} nhiệm vụ với {vi.number(len(tasks))} lượt giao cho các đơn vị "
            f"chủ trì: đã hoàn thành {vi.number(done)} lượt; "
            f"{vi.number(len(tasks) - done)} lượt đang thực hiện hoặc chưa báo cáo; "
            f"{vi.number(len(overdue))} lượt quá hạn chưa hoàn thành."
        ]
        rate = self.province.get(TASK_COMPLETION)
        if rate is not None and rate.value is not None:
            paragraphs.append(f"Tỷ lệ hoàn thành nhiệm vụ đến hạn của toàn tỉnh: "
                              f"{self.value_text(rate)}.")
        area_rows = []
        for i, (area, items) in enumerate(areas(tasks).items(), start=1):
            finished = sum(1 for t in items if is_done(t))
            late = sum(1 for t in items if t.overdue)
            area_rows.append([str(i), capitalised(one_line(area)), vi.number(len(items)),
                              vi.number(finished), vi.number(late),
                              vi.percent(100 * finished / len(items))])
        tables = [Table(["STT", "Lĩnh vực", "Số lượt giao", "Hoàn thành", "Quá hạn",
                         "Tỷ lệ hoàn thành"], area_rows, "Tiến độ theo lĩnh vực")]
        notes = []
        if overdue:
            leads = sorted({self.unit_name(t.unit) if not t.unit_name else one_line(t.unit_name)
                            for t in overdue})
            notes.append(f"Các nhiệm vụ quá hạn chưa hoàn thành ({vi.number(len(overdue))} "
                         f"lượt) thuộc {len(leads)} đơn vị chủ trì: {', '.join(leads)}.")
            tables.append(Table(
                ["STT", "Mã", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng"],
                [[str(i), one_line(t.task_id), one_line(t.text), one_line(t.unit_name or t.unit),
                  vi.short_date(t.deadline), _task_state(t)]
                 for i, t in enumerate(overdue, start=1)],
                "Nhiệm vụ quá hạn chưa hoàn thành"))
        else:
            notes.append("Không có nhiệm vụ quá hạn chưa hoàn thành.")
        return Section("II", "TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ THEO LĨNH VỰC", paragraphs, tables,
                       ["tasks_by_area"], notes)

    # ------------------------------------------------------------------ III

    def submissions(self) -> Section:
        paragraphs = []
        sub = self.province.get(SUBMISSION)
        on_time = self.province.get(SUBMISSION_ON_TIME)
        if sub is not None and sub.denominator:
            paragraphs.append(
                f"Có {vi.number(sub.numerator)}/{vi.number(sub.denominator)} đơn vị đã gửi báo "
                f"cáo (đạt {self.value_text(sub)})"
                + (f", trong đó {vi.number(on_time.numerator)} đơn vị gửi đúng hạn "
                   f"({self.value_text(on_time)})" if on_time is not None
                   and on_time.numerator is not None else "") + ".")
        missing = [m for m in self.c.missing if m.state == STATE_MISSING]
        late = [m for m in self.c.missing if m.state == STATE_LATE]
        if missing:
            paragraphs.append(f"Đơn vị chưa gửi báo cáo ({len(missing)}): "
                              + ", ".join(one_line(m.unit_name or m.unit) for m in missing) + ".")
        if late:
            paragraphs.append(f"Đơn vị gửi báo cáo muộn ({len(late)}): "
                              + ", ".join(one_line(m.unit_name or m.unit) for m in late) + ".")
        waiting = [m for m in self.c.missing if m.state == STATE_WAITING]
        if waiting:
            paragraphs.append(
                f"Đơn vị có tệp đang chờ thu nhận ({len(waiting)}, tệp đang được ghi khi lập "
                "báo cáo, sẽ được thu nhận ở lần chạy sau; chưa tính là đã nộp): "
                + ", ".join(one_line(m.unit_name or m.unit) for m in waiting) + ".")
        if not self.c.missing:
            paragraphs.append("Tất cả các đơn vị đã gửi báo cáo đúng hạn.")
        any_waiting = any(m.waiting_files for m in self.c.missing)
        rows = [[str(i), one_line(m.unit_name or m.unit), one_line(m.state),
                 m.submitted_at.strftime("%d/%m/%Y %H:%M") if m.submitted_at else ""]
                + ([one_line(", ".join(m.waiting_files))] if any_waiting else [])
                for i, m in enumerate(self.c.missing, start=1)]
        headers = ["STT", "Đơn vị", "Tình trạng", "Thời điểm gửi"]
        if any_waiting:
            headers.append("Tệp đang chờ thu nhận")
        tables = [Table(headers, rows, "Đơn vị chưa gửi hoặc gửi muộn"
                        + (", tệp đang chờ thu nhận" if any_waiting else ""))] if rows else []
        return Section("III", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ", paragraphs, tables)

    # ------------------------------------------------------------------ IV

    def portal(self) -> Section:
        paragraphs = []
        present = [code for code in PORTAL_INDICATORS if code in self.province]
        if not present:
            paragraphs.append("Chưa có số liệu từ Cổng dịch vụ công cho kỳ này.")
        else:
            parts = [f"{self.name(code)} {self.value_text(self.province[code])}"
                     + (f" (chỉ tiêu {t})" if (t := self.target_text(self.province[code]))
                        else "") for code in present]
            paragraphs.append("Toàn tỉnh: " + "; ".join(parts) + ".")
        tables = []
        units = [v for v in self.c.indicators if v.unit != PROVINCE]
        for code in (ONLINE_FILING, ON_TIME):
            values = [v for v in units if v.indicator == code and v.value is not None]
            if not values:
                continue
            below = sorted((v for v in values if v.status == STATUS_NOT_MET),
                           key=lambda v: v.value or 0.0)
            target = self.target_text(values[0])
            paragraphs.append(f"{self.name(code)}: {len(values) - len(below)}/{len(values)} "
                              f"đơn vị đạt chỉ tiêu" + (f" {target}" if target else "") + ".")
            if below:
                tables.append(Table(["STT", "Đơn vị", "Kết quả", "Chỉ tiêu giao"],
                                    [[str(i), self.unit_name(v.unit), self.value_text(v),
                                      self.target_text(v)] for i, v in enumerate(below, 1)],
                                    f"Đơn vị chưa đạt chỉ tiêu: {self.name(code)}"))
        idx766 = self.idx766_table()
        if idx766 is not None:
            paragraphs.append("Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định "
                              "766/QĐ-TTg) có trong số liệu kỳ này được tổng hợp tại bảng dưới.")
            tables.append(idx766)
        points = self.idx766_points_table()
        if points is not None:
            paragraphs.append("Điểm Chỉ số 766 tính từ dữ liệu hồ sơ của tỉnh (theo ngưỡng và "
                              "điểm tối đa khai báo trong config/data/index766.yaml) được "
                              "tổng hợp theo nhóm tại bảng dưới.")
            tables.append(points)
        return Section("IV", "CHỈ SỐ TRÊN CỔNG DỊCH VỤ CÔNG", paragraphs, tables,
                       ["units_online", "units_on_time"])

    def idx766_table(self) -> Table | None:
        """Every ``idx766_*`` indicator present: province value, unit count, lowest, highest."""
        codes = list(dict.fromkeys(v.indicator for v in self.c.indicators
                                   if v.indicator.startswith(IDX766_PREFIX)))
        if not codes:
            return None
        order = {code: i for i, code in enumerate(self.c.indicator_names)}
        codes.sort(key=lambda code: (order.get(code, len(order)), code))
        rows = []
        for i, code in enumerate(codes, start=1):
            units = [v for v in self.c.indicators if v.indicator == code and v.unit != PROVINCE
                     and v.value is not None]
            low = min(units, key=lambda v: v.value or 0.0) if units else None
            high = max(units, key=lambda v: v.value or 0.0) if units else None
            rows.append([
                str(i), self.name(code), self.value_text(self.province.get(code)),
                vi.number(len(units)),
                f"{self.unit_name(low.unit)} ({self.value_text(low)})" if low else "",
                f"{self.unit_name(high.unit)} ({self.value_text(high)})" if high else "",
            ])
        return Table(["STT", "Chỉ số 766", "Toàn tỉnh", "Số đơn vị có số liệu", "Thấp nhất",
                      "Cao nhất"], rows, "Chỉ số 766")

    def idx766_points_table(self) -> Table | None:
        """The 766 points per group and the total, from the dossier file."""
        if not self.c.index766_points:
            return None
        rows = []
        for row in self.c.index766_points:
            label = (f"Nhóm {row.group}: {row.name}" if row.group else row.name)
            points = (vi.number(row.points) if row.points is not None
                      else f"chưa đủ số liệu ({vi.number(row.partial_points)} điểm đã tính)")
            rows.append([one_line(label), points, vi.number(row.max_points), one_line(row.missing)])
        return Table(["Nhóm", "Điểm", "Điểm tối đa", "Ghi chú"], rows, "Điểm Chỉ số 766")

    # ------------------------------------------------------------------ V

    def issues(self) -> Section:
        paragraphs = []
        rejected = self.c.rejected
        if rejected:
            paragraphs.append(f"Có {len(rejected)} tệp báo cáo bị từ chối do lỗi dữ liệu; "
                              "các đơn vị cần sửa theo nội dung lỗi và gửi lại.")
        else:
            paragraphs.append("Không có tệp báo cáo nào bị từ chối trong kỳ.")
        portal_units = {v.unit for v in self.c.indicators
                        if v.unit != PROVINCE and v.indicator in PORTAL_INDICATORS
                        and v.value is not None}
        if any(code in self.province for code in PORTAL_INDICATORS):
            expected = [u for u in self.c.unit_names if u != PROVINCE]
            lacking = [self.unit_name(u) for u in expected if u not in portal_units]
            if lacking:
                paragraphs.append(f"Thiếu số liệu trên Cổng dịch vụ công của {len(lacking)} "
                                  f"đơn vị: {', '.join(lacking)}.")
        else:
            paragraphs.append("Chưa nhận được tệp số liệu xuất từ Cổng dịch vụ công của kỳ "
                              "này: các chỉ số trên Cổng chưa được tính.")
        rows = [[str(i), one_line(r.agency_folder), one_line(r.file_name),
                 r.received_at.strftime("%d/%m/%Y %H:%M"), one_line(r.problems)]
                for i, r in enumerate(rejected, start=1)]
        tables = [Table(["STT", "Đơn vị", "Tệp", "Thời điểm nhận", "Nội dung lỗi"], rows,
                        "Tệp bị từ chối")] if rows else []
        if self.c.data_issues:
            paragraphs.append(f"Đối chiếu số liệu khi lập báo cáo phát hiện "
                              f"{len(self.c.data_issues)} điểm không khớp hoặc số liệu bất "
                              "thường cần kiểm tra lại (xem bảng).")
            tables.append(Table(["STT", "Điểm không khớp, số liệu bất thường"],
                                [[str(i), one_line(issue)] for i, issue
                                 in enumerate(self.c.data_issues, start=1)],
                                "Đối chiếu số liệu"))
        disagreements = self.c.source_disagreements
        if disagreements:
            paragraphs.append(f"Biểu thống kê và dữ liệu hồ sơ trên Cổng dịch vụ công chênh "
                              f"lệch ở {len(disagreements)} số liệu (bảng dưới); báo cáo nêu "
                              "cả hai, cần đơn vị quản lý Cổng đối chiếu.")
            tables.append(Table(
                ["STT", "Đơn vị", "Số hồ sơ", "Theo biểu thống kê", "Theo dữ liệu hồ sơ"],
                [[str(i), self.unit_name(d.unit), one_line(d.measure),
                  "không có dòng" if d.statistics is None else vi.number(d.statistics, 0),
                  vi.number(d.dossiers, 0)] for i, d in enumerate(disagreements, start=1)],
                "Chênh lệch giữa biểu thống kê và dữ liệu hồ sơ"))
        return Section("V", "VẤN ĐỀ VỀ SỐ LIỆU", paragraphs, tables)


def areas(tasks: Sequence[TaskProgressRow]) -> dict[str, list[TaskProgressRow]]:
    """Tasks grouped by area, areas in the order the notice lists them."""
    grouped: dict[str, list[TaskProgressRow]] = {}
    for task in tasks:
        grouped.setdefault(task.area, []).append(task)
    return grouped


def _task_state(task: TaskProgressRow) -> str:
    state = one_line(task.status) or "Chưa báo cáo"
    if task.progress is not None:
        state += f" ({vi.percent(task.progress, 0)})"
    return state

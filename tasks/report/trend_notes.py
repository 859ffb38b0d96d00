"""What the report says under its trend chart, in Vietnamese."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.model.report import TrendRow
from tasks.report import vietnamese as vi


def trend_notes(trend: Sequence[TrendRow]) -> list[str]:
    """How to read the trend: both series, and each period where the series breaks."""
    periods = list(dict.fromkeys(row.period for row in trend))
    if len(periods) < 2:
        return []
    notes = [f"Biểu đồ xu hướng: {vi.period_phrase(periods[0])} đến "
             f"{vi.period_phrase(periods[-1])}; đường liền là số liệu như đã báo cáo, đường "
             "đứt là số liệu quy về đơn vị hành chính hiện nay (tử số, mẫu số chuyển theo bảng "
             "chuyển đổi, tỷ lệ tính lại)."]
    notes += [f"Chuỗi số liệu toàn tỉnh gián đoạn từ {vi.period_phrase(period)} (vạch đứt "
              "màu đỏ): địa giới tỉnh thay đổi, số liệu như đã báo cáo trước và sau mốc này "
              "không so sánh trực tiếp được."
              for period in dict.fromkeys(row.period for row in trend if row.series_break)]
    return notes

"""The public-service portal's statistics API: one period's per-unit figures, page by page.

Every answer body is written under ``raw/portal/<period>/<fetch time>/page-NNN.json``
before it is parsed, so an audit sees what the portal said and a rerun can use the
snapshot; ``snapshot.json`` beside the pages marks a complete fetch. The token is sent in
a header on each request and never logged, saved or shown (it is held as a ``SecretStr``).

Transport failures (connection errors, timeouts, HTTP 5xx and 429) are retried by urllib3
with exponential backoff, honouring ``Retry-After`` (capped), a bounded number of times;
what is left raises :class:`PortalUnavailable`. An answer that cannot be used (HTTP 4xx,
malformed JSON, a wrong envelope) raises :class:`PortalBadAnswer` at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from config.portal_api import PortalApiConfig
from tasks.model.ports import PortalApiError
from tasks.model.records import FetchedPage, PortalSnapshot

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SNAPSHOT_MANIFEST = "snapshot.json"


class PortalUnavailable(PortalApiError):
    """The portal did not answer usably after every retry (down, overloaded, too slow)."""

    retryable = True


class PortalBadAnswer(PortalApiError):
    """The portal answered, but not with what was asked for."""


class _BoundedRetry(Retry):
    """urllib3's Retry, with the wait a ``Retry-After`` header asks for capped."""

    def __init__(self, *args: Any, retry_after_cap: float = 120.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs: Any) -> _BoundedRetry:
        fresh = super().new(**kwargs)
        assert isinstance(fresh, _BoundedRetry)
        fresh.retry_after_cap = self.retry_after_cap
        return fresh

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.retry_after_cap)


class PortalApi:
    """A client of one portal's statistics API (see ``docs/portal-api.md``)."""

    def __init__(self, base_url: str, token: SecretStr | None, config: PortalApiConfig, *,
                 connect_timeout: float = 5.0, read_timeout: float = 30.0, retries: int = 4,
                 backoff: float = 1.0, max_retry_after: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.config = config
        self._token = token
        self.timeout = (connect_timeout, read_timeout)
        retry = _BoundedRetry(
            total=retries, connect=retries, read=retries, status=retries, other=0,
            backoff_factor=backoff, backoff_max=max(backoff * 2 ** retries, backoff),
            status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True, raise_on_status=False,
            retry_after_cap=max_retry_after,
        )
        self._session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"PortalApi({self.base_url!r})"

    def close(self) -> None:
        self._session.close()

    @property
    def endpoint(self) -> str:
        return self.base_url + self.config.path

    def _params(self, start: date, end: date, page: int) -> dict[str, str]:
        names, fmt = self.config.params, self.config.date_format
        return {names.from_date: start.strftime(fmt), names.to_date: end.strftime(fmt),
                names.page: str(page)}

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            value = self._token.get_secret_value()
            scheme = self.config.auth_scheme
            headers[self.config.auth_header] = f"{scheme} {value}" if scheme else value
        return headers

    def fetch(self, period: str, start: date, end: date, raw_dir: Path,
              now: datetime) -> PortalSnapshot:
        """Every page of the period's figures, each saved before it is parsed."""
        folder = raw_dir / period / now.strftime("%Y%m%dT%H%M%S%fZ")
        folder.mkdir(parents=True, exist_ok=True)
        first = self.config.first_page
        pages: list[FetchedPage] = []
        number, last = first, first
        while number <= last:
            body = self._get(start, end, number)
            saved = folder / f"page-{number:03d}.json"
            saved.write_bytes(body)
            records, total_pages = self._envelope(body, number)
            if number == first:
                if total_pages > self.config.max_pages:
                    raise PortalBadAnswer(f"Trang {number}: cổng báo {total_pages} trang, vượt "
                                          f"giới hạn {self.config.max_pages} trang")
                last = first + max(total_pages, 1) - 1
            pages.append(FetchedPage(number, saved, records))
            number += 1
        window = self._params(start, end, first)
        window.pop(self.config.params.page)
        source = f"{self.endpoint}?{urlencode(window)}"
        snapshot = PortalSnapshot(period, start, end, folder, tuple(pages),
                                  _snapshot_hash(period, start, end, pages), now, source)
        (folder / SNAPSHOT_MANIFEST).write_text(json.dumps({
            "period": period, "start": start.isoformat(), "end": end.isoformat(),
            "source": source, "fetched_at": now.isoformat(),
            "pages": [p.file.name for p in pages], "content_hash": snapshot.content_hash,
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return snapshot

    def latest_snapshot(self, raw_dir: Path, period: str) -> PortalSnapshot | None:
        """The newest complete answer saved for ``period`` (see :func:`latest_snapshot`)."""
        return latest_snapshot(raw_dir, period, self.config)

    def _get(self, start: date, end: date, page: int) -> bytes:
        try:
            response = self._session.get(self.endpoint, params=self._params(start, end, page),
                                         headers=self._headers(), timeout=self.timeout)
        except requests.RequestException as exc:
            if not _timed_out(exc):
                raise PortalUnavailable(f"Trang {page}: không kết nối được cổng sau nhiều lần "
                                        f"thử ({type(exc).__name__})") from None
            raise PortalUnavailable(f"Trang {page}: cổng không trả lời kịp sau nhiều lần thử "
                                    f"({type(exc).__name__})") from None
        status = response.status_code
        if status in RETRY_STATUSES:
            raise PortalUnavailable(f"Trang {page}: cổng vẫn trả lỗi HTTP {status} "
                                    "sau nhiều lần thử")
        if status != 200:
            raise PortalBadAnswer(f"Trang {page}: cổng trả lỗi HTTP {status} "
                                  f"({response.reason or 'không rõ'})")
        return response.content

    def _envelope(self, body: bytes, page: int) -> tuple[list[Any], int]:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise PortalBadAnswer(f"Trang {page}: nội dung cổng trả về không phải JSON hợp lệ "
                                  f"({len(body)} byte)") from None
        key, pages_key = self.config.records_key, self.config.total_pages_key
        if not isinstance(data, Mapping):
            raise PortalBadAnswer(f"Trang {page}: nội dung trả về không phải đối tượng JSON")
        records, total = data.get(key), data.get(pages_key)
        if not isinstance(records, list):
            raise PortalBadAnswer(f"Trang {page}: thiếu danh sách «{key}»")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise PortalBadAnswer(f"Trang {page}: «{pages_key}» phải là số nguyên không âm, "
                                  f"nhận được {total!r}")
        return records, total


def _timed_out(exc: requests.RequestException) -> bool:
    """A timeout, also when urllib3 gave up retrying one (requests then says ConnectionError)."""
    if isinstance(exc, requests.Timeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError)


def _snapshot_hash(period: str, start: date, end: date, pages: list[FetchedPage]) -> str:
    digest = hashlib.sha256(f"portal-api\n{period}\n{start}\n{end}\n".encode())
    for page in pages:
        digest.update(f"{page.file.name}:{hashlib.sha256(page.file.read_bytes()).hexdigest()}\n"
                      .encode())
    return digest.hexdigest()


def latest_snapshot(raw_dir: Path, period: str, config: PortalApiConfig) -> PortalSnapshot | None:
    """The newest complete fetch saved for ``period``, read back from its files."""
    root = raw_dir / period
    folders = sorted((p for p in root.glob("*") if (p / SNAPSHOT_MANIFEST).is_file()),
                     reverse=True) if root.is_dir() else []
    for folder in folders:
        try:
            meta = json.loads((folder / SNAPSHOT_MANIFEST).read_text(encoding="utf-8"))
            pages = []
            for name in meta["pages"]:
                data = json.loads((folder / name).read_bytes())
                number = int(name.removeprefix("page-").removesuffix(".json"))
                pages.append(FetchedPage(number, folder / name, list(data[config.records_key])))
            start, end = date.fromisoformat(meta["start"]), date.fromisoformat(meta["end"])
            digest = _snapshot_hash(period, start, end, pages)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if digest != meta.get("content_hash"):
            continue  # altered after it was saved: not what the portal said
        return PortalSnapshot(period, start, end, folder, tuple(pages), digest,
                              datetime.fromisoformat(meta["fetched_at"]), str(meta["source"]))
    return None

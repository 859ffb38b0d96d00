"""How one portal's statistics API is addressed and what its answer's fields are called.

Portals differ, so the path, the query parameter names, the date format and the field
names are read from a YAML file (default: ``config/data/portal_api.yaml``) validated here.
Nothing is read at import time: call :func:`load_portal_api_config` at run start.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from config.errors import CchcError
from config.yaml_files import read_yaml

DEFAULT_PORTAL_API_CONFIG = Path(__file__).resolve().parent / "data" / "portal_api.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PortalApiParams(_Strict):
    """Names of the query parameters: the data window's first and last day, the page."""

    from_date: str
    to_date: str
    page: str


class PortalApiFields(_Strict):
    """Names of one unit record's fields in the portal's answer."""

    code: str
    name: str
    total: str  # received for processing, in total
    received_online: str
    received_in_person: str
    received_post: str
    carried_over: str
    resolved_on_time: str  # before and on the deadline
    resolved_late: str
    in_progress_within: str
    in_progress_overdue: str
    waiting_supplement: str
    returned: str


class PortalApiConfig(_Strict):
    path: str = Field(pattern=r"^/")
    params: PortalApiParams
    date_format: str = "%d/%m/%Y"
    first_page: int = Field(default=1, ge=0)
    max_pages: int = Field(default=200, ge=1, description="refuse answers claiming more pages")
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    records_key: str = "data"
    total_pages_key: str = "totalPages"
    fields: PortalApiFields


class PortalApiConfigError(CchcError, ValueError):
    """The portal API configuration file cannot be read or used; the message is Vietnamese."""


def load_portal_api_config(path: Path = DEFAULT_PORTAL_API_CONFIG) -> PortalApiConfig:
    try:
        data = read_yaml(path)
        return PortalApiConfig.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise PortalApiConfigError(f"cấu hình API cổng dịch vụ công {path} không hợp lệ: "
                                   f"{exc}") from exc

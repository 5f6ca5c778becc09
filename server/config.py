"""Every setting of the service, declared once: name, default, help.

``DEFAULTS`` and the README's settings table come from :data:`SETTINGS`;
tests/test_docs.py fails when a setting is not documented. Values are read
in this order, later wins: the defaults below, ``instance/config.py``,
environment variables ``SERVER_<NAME>``, then the test mapping given to
``create_app``. ``XLWINGS_LICENSE_KEY`` is read under its own name because
xlwings itself reads it from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One configurable value."""

    name: str
    default: object
    help: str
    env: str | None = None
    """Environment variable, when not SERVER_<name>."""

    @property
    def env_name(self) -> str:
        """The environment variable that sets it."""
        return self.env or f"SERVER_{self.name}"


SETTINGS = (
    Setting("HOST", "127.0.0.1", "监听地址；只给本机用保持 127.0.0.1，局域网内提供服务时改为 0.0.0.0"),
    Setting("PORT", 5000, "监听端口"),
    Setting("THREADS", 8, "生产服务器（waitress）的工作线程数"),
    Setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy 数据库地址；留空时使用 instance/jcnb.sqlite3（SQLite），正式部署用 postgresql+psycopg://用户:密码@主机/库名",
    ),
    Setting("SECRET_KEY", "", "会话签名密钥；留空时自动生成并保存在 instance/secret_key"),
    Setting("MAX_CONTENT_LENGTH", 16 * 1024 * 1024, "单次请求（上传文件）的最大字节数"),
    Setting("MAX_FINDINGS", 500, "每个工作簿最多列出的问题条数"),
    Setting("SESSION_MINUTES", 120, "网页登录会话的有效时长（分钟）"),
    Setting("DISTRICT_NAME", "区政务公开办", "汇总单位名称，显示在网页和汇总表上"),
    Setting(
        "XLWINGS_LICENSE_KEY",
        "noncommercial",
        "xlwings 服务端引擎的许可证；政府机关属于非商业使用，可用 noncommercial；商业用户填写自己购买的许可证",
        env="XLWINGS_LICENSE_KEY",
    ),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def from_environment(environ: dict | None = None) -> dict:
    """Settings given through environment variables, converted to the default's type."""
    environ = os.environ if environ is None else environ
    out = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env_name)
        if raw is None or raw == "":
            continue
        out[setting.name] = type(setting.default)(raw) if isinstance(setting.default, int) else raw
    return out

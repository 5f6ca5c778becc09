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

from .errors import ConfigurationError


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
    Setting(
        "WORKBOOK_MAX_MB", 16, "命令行和批量导入读取的 .xlsx 文件最大大小（MB；网页和接口另受 MAX_CONTENT_LENGTH 限制）"
    ),
    Setting("WORKBOOK_MAX_UNCOMPRESSED_MB", 50, "工作簿解压后全部内容的最大大小（MB），超过即拒绝读取（防压缩炸弹）"),
    Setting("WORKBOOK_MAX_PART_MB", 10, "工作簿中单个部件（一张工作表、共享字符串等）解压后的最大大小（MB）"),
    Setting("WORKBOOK_MAX_RATIO", 200, "单个部件（1 MB 以上）解压后与压缩后大小之比的上限，超过即拒绝读取"),
    Setting("WORKBOOK_MAX_ROWS", 1000, "每张工作表读取的行数；更靠下的行不读取"),
    Setting("WORKBOOK_MAX_COLUMNS", 100, "每张工作表读取的列数；更靠右的单元格不读取"),
    Setting("WORKBOOK_MAX_SHEETS", 100, "工作簿最多的工作表数，超过即拒绝读取"),
    Setting(
        "WORKBOOK_MAX_CELLS", 30000, "整个工作簿最多读取的单元格数（含只有格式的单元格），超过即拒绝读取；限制读取时间"
    ),
    Setting("SESSION_MINUTES", 120, "网页登录会话的有效时长（分钟）"),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        "登录 Cookie 只经 HTTPS 发送（Secure）：网站通过 https:// 访问时设为 1；仍用 http:// 访问时保持 0，否则无法登录",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "服务前面的反向代理层数（如用 nginx 提供 HTTPS 时为 1）：据此从 X-Forwarded-For 取来访地址；没有代理时保持 0",
    ),
    Setting(
        "LOGIN_MAX_FAILURES", 5, "同一登录名在 LOGIN_LOCK_MINUTES 分钟内允许输错密码的次数，超过后暂停该登录名登录"
    ),
    Setting(
        "LOGIN_MAX_FAILURES_PER_ADDRESS",
        50,
        "同一来访地址（IP）在 LOGIN_LOCK_MINUTES 分钟内允许的登录失败次数（不论登录名），超过后暂停该地址登录",
    ),
    Setting("LOGIN_LOCK_MINUTES", 15, "计算登录失败次数的时间窗口（分钟）：窗口内最早的失败过期后即可再试"),
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
        out[setting.name] = _convert(setting, raw)
    return out


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _convert(setting: Setting, raw: str) -> object:
    """An environment variable's text as the type of the setting's default."""
    if isinstance(setting.default, bool):  # before int: bool("0") would be True
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise ConfigurationError(f"环境变量 {setting.env_name} 只能是 1 或 0（也可写 true/false），现在是“{raw}”。")
        return raw.strip().lower() in _TRUE
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"环境变量 {setting.env_name} 应为整数，现在是“{raw}”。") from None
    return raw

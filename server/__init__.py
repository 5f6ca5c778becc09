"""政府信息公开工作年度报告 校验服务: the Flask application factory.

``create_app`` layers the configuration (see :mod:`server.config`),
initialises the database and registers the doors onto the one validation
pipeline (:mod:`server.pipeline`): the web pages, the JSON API, the xlwings
endpoint for the Excel add-in and the district's collection.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from . import security
from .config import DEFAULTS
from .config import from_environment
from .json_out import JSONProvider


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, SERVER_* variables, then ``test_config``.

    The instance folder (config.py, secret key, SQLite file) is ``instance/`` beside the
    package unless ``instance_path`` or the environment variable SERVER_INSTANCE_PATH says otherwise.
    """
    instance_path = instance_path or os.environ.get("SERVER_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _finish_config(app)

    from . import errors_web
    from .api import init_app as init_api
    from .district import db
    from .district.views import init_app as init_district
    from .web import bp as web_bp
    from .xlwings_bridge import bp as xlwings_bp

    app.json = JSONProvider(app)  # readable Chinese in every JSON answer, written by orjson where it is the same
    errors_web.init_app(app)
    security.init_app(app)
    db.init_app(app)
    app.register_blueprint(web_bp)
    init_api(app)
    app.register_blueprint(xlwings_bp)
    init_district(app)
    return app


def _finish_config(app: Flask) -> None:
    app.permanent_session_lifetime = timedelta(minutes=int(app.config["SESSION_MINUTES"]))
    security.configure(app)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "jcnb.sqlite3")
    os.environ.setdefault("XLWINGS_LICENSE_KEY", str(app.config["XLWINGS_LICENSE_KEY"]))


def _instance_secret(path: Path) -> str:
    """A secret key kept in the instance folder, made on first start."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    return key

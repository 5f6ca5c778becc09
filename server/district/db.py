"""The database: an engine from DATABASE_URL, migrations, a session per request.

SQLite in the instance folder by default (nothing to configure); PostgreSQL
through ``SERVER_DATABASE_URL=postgresql+psycopg://…``. The schema is kept
by alembic migrations (server/district/migrations), applied on start-up.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask
from flask import current_app
from flask import g
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.pool import SingletonThreadPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, *, keep_connection: bool = False) -> Engine:
    """An engine; SQLite gets foreign keys and a busy timeout.

    :param keep_connection: SQLite keeps one connection per thread open between sessions (a worker
        process that runs one short query per file); otherwise each session opens its own.
    """
    if url.startswith("sqlite"):
        # No pool by default: a SQLite connection is cheap, and none stays open between requests.
        pool = SingletonThreadPool if keep_connection else NullPool
        engine = create_engine(url, connect_args={"timeout": 30}, poolclass=pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def init_app(app: Flask) -> None:
    """Create the engine, migrate, and close the request's session afterwards."""
    engine = make_engine(app.config["DATABASE_URL"])
    upgrade(engine)
    app.extensions["jcnb_engine"] = engine
    app.extensions["jcnb_sessions"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(_error):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_session() -> Session:
    """The database session of the current request."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["jcnb_sessions"]()
    return g.db_session


def dispose(app: Flask) -> None:
    """Close every pooled connection of the app's engine (tests, command line)."""
    app.extensions["jcnb_engine"].dispose()

"""Shared fixtures: the app on a temporary instance folder, its client and CLI runner."""

from __future__ import annotations

import os

import pytest

# xlwings registers its server engine when first imported: the key must be set before.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from server import create_app
from server.district.db import dispose


@pytest.fixture
def app(tmp_path):
    """The app with a fresh instance folder and SQLite database per test."""
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}"}, instance_path=str(tmp_path)
    )
    yield app


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


DATABASES = ["sqlite", "postgresql"]


def database_url(kind: str, tmp_path) -> str:
    """A fresh database of a kind: a SQLite file, or the CI's PostgreSQL emptied."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'district.sqlite3'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (scripts/test.sh starts a PostgreSQL server and sets it)")
    from sqlalchemy import text

    from server.district.db import make_engine
    from server.district.models import Base

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url


@pytest.fixture(params=DATABASES)
def db_url(request, tmp_path):
    """The URL of an empty database, once SQLite and once PostgreSQL."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def session(db_url):
    """A session on a migrated empty database."""
    from sqlalchemy.orm import sessionmaker

    from server.district.db import make_engine
    from server.district.db import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    with sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def site(db_url, tmp_path):
    """An app on a fresh database with the district account and units A, B; yields (app, logins)."""
    app, logins = make_site(db_url, tmp_path)
    yield app, logins
    dispose(app)


def make_site(db_url, tmp_path):
    """The app of :func:`site` (tokens in ``app.tokens``)."""
    from district_data import setup

    from server.district import service
    from server.district.db import get_session

    app = create_app({"TESTING": True, "DATABASE_URL": db_url}, instance_path=str(tmp_path))
    with app.app_context():
        session = get_session()
        district, a, b = setup(session)
        logins = {"district": ("admin", "district-pass")}
        tokens = {}
        for who, account in (("a", a), ("b", b)):
            logins[who] = (account.login, service.reset_password(session, district, account.unit_id).password)
            tokens[who] = service.renew_token(session, district, account.unit_id).token
        session.commit()
    app.tokens = tokens
    return app, logins

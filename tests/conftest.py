"""Shared fixtures: the app on a temporary instance folder, its client and CLI runner."""

from __future__ import annotations

import os

import pytest

# xlwings registers its server engine when first imported: the key must be set before.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from server import create_app


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

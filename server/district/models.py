"""The district's collection: units, accounts, submissions, cell values, events.

Nothing here is ever updated or deleted once written: a resubmission is a new
:class:`Submission` (a new version number for the unit and year), and what
happens to a submission afterwards (退回, an explanation added later) is an
:class:`Event`. The state of a submission is derived from its events.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

ACCEPTED, PENDING, RETURNED = "accepted", "pending", "returned"
"""Submission states: 已提交, 有提示待说明 (collected without explanation), 已退回."""
DISTRICT, UNIT = "district", "unit"


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo (stored as such in every database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the district's tables."""


class Unit(Base):
    """A reporting unit (编制主体) registered by the district."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(50))
    """单位类型: 街道办事处, 乡镇, 区政府部门 …"""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="unit")


class Account(Base):
    """A login: the district's officers, or a unit (web login + add-in token)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(300))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the add-in token (the token itself is shown once)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Counts password resets (and logouts of sessions begun before :class:`EndedLogin`): a login session
    remembers the value it began with and ends when the account's value has moved on (every session of the
    account, also a copied cookie, stops working). The login throttle counts a login name's failures per value,
    so a reset lifts a pause, also one made from the command line."""

    unit: Mapped[Unit | None] = relationship(back_populates="accounts")


class Submission(Base):
    """One version of one unit's report for one year, exactly as submitted."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("unit_id", "year", "version_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    """1, 2, 3 … per unit and year."""
    form_version: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    """The original file, unchanged."""
    sha256: Mapped[str] = mapped_column(String(64))
    initial_state: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str | None] = mapped_column(Text)
    """审核说明 given with the submission."""
    channel: Mapped[str] = mapped_column(String(20))
    """web, excel or collect."""
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict] = mapped_column(JSON)
    """The validation report (Report.to_dict) at submission time."""

    unit: Mapped[Unit] = relationship()
    cells: Mapped[list[CellValue]] = relationship(back_populates="submission", order_by="CellValue.key")
    events: Mapped[list[Event]] = relationship(back_populates="submission", order_by="Event.id")

    @property
    def state(self) -> str:
        """accepted, pending or returned, after the events."""
        if any(event.kind == RETURNED for event in self.events):
            return RETURNED
        if self.initial_state == ACCEPTED or any(event.kind == "explained" for event in self.events):
            return ACCEPTED
        return PENDING

    @property
    def returned_reason(self) -> str | None:
        """The reason of the 退回, if any."""
        return next((event.text for event in self.events if event.kind == RETURNED), None)

    @property
    def all_explanations(self) -> list[str]:
        """The explanation given at submission and any added later."""
        texts = [self.explanation] if self.explanation else []
        return texts + [event.text for event in self.events if event.kind == "explained"]


class CellValue(Base):
    """One cell of a submission by its form cell key."""

    __tablename__ = "cell_value"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    """The number the validation used (blank counts as 0; None when unreadable)."""
    raw: Mapped[str | None] = mapped_column(Text)
    """What the clerk typed, as text (None when blank)."""

    submission: Mapped[Submission] = relationship(back_populates="cells")


class EndedLogin(Base):
    """A login session ended by its logout: a copy of its cookie no longer works, the account's other
    sessions (a district account shared by two officers) go on.

    Kept while a copy of the cookie could still be valid (the session lifetime), then swept.
    """

    __tablename__ = "ended_login"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the session's random id (the id itself lives only in the signed cookie)."""
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Event(Base):
    """Something that happened to a submission after it was stored."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    """returned (退回, by the district) or explained (审核说明 added later)."""
    text: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="events")

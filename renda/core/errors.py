"""Errors a person can act on. Services raise them; views show the message, never a traceback."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused write, with a message (Chinese through gettext) for the person who tried."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RowError(ServiceError):
    """A problem with one row of an uploaded sheet (1-based row number as the sheet shows it)."""

    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(message, field=column)
        self.row = row
        self.column = column

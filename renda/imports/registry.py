"""Import kinds: each module registers how to process its sheets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from renda.imports.models import ImportRun


@dataclass(frozen=True)
class Importer:
    kind: str
    label: str | Promise
    # Called by the worker with the run; reads the upload, reports progress, raises
    # ServiceError (with a Chinese message) to fail the run without writing anything.
    process: Callable[[ImportRun], None]
    # The page people are sent to when the run is done.
    done_url_name: str = ""
    # A page (taking the run's pk) where the person settles what the worker could not decide
    # alone, e.g. which of two columns holds the ID numbers; shown when the run asks for it.
    fix_url_name: str = ""


_importers: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _importers[importer.kind] = importer


def get(kind: str) -> Importer:
    return _importers[kind]


def label_of(kind: str) -> str | Promise:
    importer = _importers.get(kind)
    return importer.label if importer else kind

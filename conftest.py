from __future__ import annotations

from collections.abc import Iterator

import pytest

from renda.core.testing import Cast, build_cast


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _audit_purge_window_for_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush, which must delete audit rows: open the purge
    window just before it (this fixture's teardown runs before the flush; the flush's
    post_migrate closes the window again)."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from renda.core.audit_window import open_purge_window

    open_purge_window()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's language: a request in English (LocaleMiddleware
    activates it for the thread and nothing deactivates it) must not leak into the next test
    run by the same worker — tasks run inline in tests and would write English reports."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield

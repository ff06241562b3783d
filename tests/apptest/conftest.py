"""Fixtures shared by the AppTest page tests (helpers live in :mod:`tests.apptest.app_runner`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest.app_runner import APP, open_page


@pytest.fixture
def new_app() -> AppTest:
    """A fresh AppTest of the whole app, not yet run."""
    return AppTest.from_file(APP, default_timeout=120)


@pytest.fixture
def page_opener() -> Callable[..., AppTest]:
    """:func:`tests.apptest.app_runner.open_page`, for tests that prefer a fixture."""
    return open_page

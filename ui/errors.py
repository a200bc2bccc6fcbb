"""The one error boundary of every page: our errors shown as their message, anything else logged as a bug."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from geo import AppError
from ui.i18n import md, t

RAISE_ENV = "ANTT_RAISE_ERRORS"
"""Environment variable: ``1`` lets unexpected errors through (the tests set it, so a bug fails them)."""

_LOG = logging.getLogger("antt.pages")


@contextmanager
def boundary() -> Iterator[None]:
    """Run a page: an `AppError` becomes an error box with its message; any other error is logged.

    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from ``BaseException`` and
    passes through untouched.
    """
    try:
        yield
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
    except Exception:
        _LOG.exception("unexpected error while drawing a page")
        if os.environ.get(RAISE_ENV) == "1":
            raise
        st.error(t("error.bug"))

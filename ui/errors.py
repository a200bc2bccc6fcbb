"""The one error boundary of every page: our errors shown as their message, anything else logged as a bug."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from geo import AppError, StoreError
from ui import loaders
from ui.i18n import lang, md, t

RAISE_ENV = "ANTT_RAISE_ERRORS"
"""Environment variable: ``1`` lets unexpected errors through (the tests set it, so a bug fails them)."""

_LOG = logging.getLogger("antt.pages")


def show(error: AppError) -> None:
    """Show one of our errors as an error box: a store fault in the UI language, others as their message."""
    if isinstance(error, StoreError):
        _LOG.warning("store fault (%s) at %s: %s", error.kind, error.store, error.detail)
        st.error(t("store.shown", msg=md(error.words(lang()))))
    else:
        st.error(t("error.data", msg=md(error)))


@contextmanager
def boundary() -> Iterator[None]:
    """Run a page: an `AppError` becomes an error box with its message; any other error is logged.

    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from ``BaseException`` and
    passes through untouched.
    """
    try:
        yield
    except AppError as error:
        show(error)
    except Exception:
        _LOG.exception("unexpected error while drawing a page")
        if os.environ.get(RAISE_ENV) == "1":
            raise
        st.error(t("error.bug"))


def require_store() -> None:
    """Stop the run with the store's fault (missing, empty, damaged, unreachable…) before any page reads it.

    The router calls it before the login gate, which already reads the store's accounts: a fault
    there would otherwise escape every boundary as a traceback.
    """
    try:
        loaders.store().version()
    except StoreError as error:
        show(error)
        st.stop()

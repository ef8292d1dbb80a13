"""KBYT's server: `streamlit run server.py` (see README.md).

Streamlit's ASGI app serves the dashboard (app.py, one script run per browser session) and,
on the same port, plain HTTP routes that need no session: the public declaration form that a
venue's QR code opens, and the partner ingest API (web/). A declaration through the form costs
a few milliseconds of the server; through a Streamlit session it cost about two CPU-seconds.
The plain routes are reached through middleware, ahead of Streamlit's own (web/routes.py).
"""

import sys

import streamlit as st

from config.settings import ConfigError, get_settings
from ui.script_errors import friendly_script_error
from web.context import LazyContext
from web.routes import middleware

# A bad or misspelled setting stops the server before it serves anything, with the same one
# line as the command line (README: Settings); `streamlit run` imports this module at start.
try:
    get_settings()
except ConfigError as error:
    print(error, file=sys.stderr)
    sys.exit(2)

app = st.App(
    "app.py",
    middleware=middleware(LazyContext()),
    on_script_error=friendly_script_error,
)

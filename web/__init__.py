"""Plain HTTP routes beside the Streamlit dashboard: the public declaration form and the
partner ingest API. Served by Streamlit's ASGI app (see server.py)."""

"""The app shell: the working copy in session state and the one grid wrapper. May import streamlit; pprr never imports this."""

"""Page 6, Accessibility: the accessibility statement (docs/accessibility.md) in the app."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

STATEMENT = Path(__file__).resolve().parent.parent / "docs" / "accessibility.md"


def main() -> None:
    """The statement, from the one file that holds it."""
    st.markdown(STATEMENT.read_text(encoding="utf-8"))


main()

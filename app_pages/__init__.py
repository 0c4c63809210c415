"""Pages and Streamlit helpers of the planners' app (`app.py` is the entry point).

- `state`: what one browser session holds (base scenario, edits, run settings) and where files go.
- `widgets`: widgets generated from the scenario schema (via `app_pages.forms`).
- `grids`: the Scenario page's editable grids, each with a form beside it (`grid_form`) for the
  keyboard and screen readers.
- `running`: runs through the shared run-directory cache, with a progress bar.
- `scenario`, `results`, `compare`, `downloads`: the pages.

Figures and tables come from `sim.report.figures`, shared with the command line.
"""

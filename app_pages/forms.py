"""Forms from the scenario schema: what the planners' app needs to edit a field, a distribution
or a table of items, bar the widgets themselves (`app_pages.widgets`).

One import for the widgets, gathered from the modules that hold each part (nothing here imports
Streamlit, so tests can check every part directly):

- `app_pages.field_specs`: a field's label, unit, limits and help, read from the schema, and its
  value as a widget shows it;
- `app_pages.distribution_forms`: distributions, their kinds and parameters;
- `app_pages.item_tables`: tables of named items for the data editors, and the headcount plan.

The scenario as a whole, as plain data (uploads, what differs from the base, source notes of
edited values, field paths in words), is `app_pages.edits`.
"""

from __future__ import annotations

from app_pages.distribution_forms import (
    DISTRIBUTION_HELP,
    DISTRIBUTION_KINDS,
    as_distribution_data,
    distribution_mean,
    distribution_specs,
    switch_distribution_kind,
)
from app_pages.field_specs import (
    FieldSpec,
    field_spec,
    field_specs,
    from_widget_value,
    label_and_unit,
    nested_spec,
    to_widget_value,
)
from app_pages.item_tables import (
    apply_headcount_plan_frame,
    headcount_plan_frame,
    items_frame,
    items_from_frame,
)

__all__ = [
    "DISTRIBUTION_HELP",
    "DISTRIBUTION_KINDS",
    "FieldSpec",
    "apply_headcount_plan_frame",
    "as_distribution_data",
    "distribution_mean",
    "distribution_specs",
    "field_spec",
    "field_specs",
    "from_widget_value",
    "headcount_plan_frame",
    "items_frame",
    "items_from_frame",
    "label_and_unit",
    "nested_spec",
    "switch_distribution_kind",
    "to_widget_value",
]

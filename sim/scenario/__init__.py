"""Inputs: the scenario schema, its files (YAML, extends:, --set), distributions and levers."""

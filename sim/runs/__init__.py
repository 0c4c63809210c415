"""Runs: replications on executors into resumable, self-describing run directories, cached."""

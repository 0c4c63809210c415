"""Presentation: figures and tables shared by the app, the command line and the HTML report."""

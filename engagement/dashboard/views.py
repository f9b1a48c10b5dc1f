"""Placeholder: the results page is being written."""

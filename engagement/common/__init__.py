"""Helpers that several engagement packages share, written once: PDF styling (`pdf`), safe
spreadsheet cells (`spreadsheets`), the Plotly layout (`charts`), form validators (`forms`) and who
may do what (`access`). They sit below every feature package and import none of them.
"""

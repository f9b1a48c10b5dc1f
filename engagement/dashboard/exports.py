"""Placeholder: CSV and XLSX exports are being written."""

"""Touchpoints: one QR code per physical place, its posters, and the scans it brings."""

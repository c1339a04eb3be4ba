"""Enterprises: registration, the application lifecycle, the enterprise's own page."""

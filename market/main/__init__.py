"""The landing page and small shared endpoints."""

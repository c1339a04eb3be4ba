"""Saved searches: a query and its filters, and an alert when new posts match."""

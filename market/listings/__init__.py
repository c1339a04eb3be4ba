"""Listings: offers (出售) and wanted posts (求购), their files, lifecycle and revisions."""

"""Matching: offers and wanted posts that fit each other, scored and explained."""

"""Matching supply to demand: scores, explanations and notifications."""

"""Moderation: review queues, decisions and the audit log."""

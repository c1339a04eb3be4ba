"""Notifications: the in-app inbox of each enterprise and the durable mail queue."""

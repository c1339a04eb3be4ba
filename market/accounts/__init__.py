"""Accounts: login, logout, password change and the locale switch."""

"""Inquiries (询价): a thread between two enterprises about one post, to a deal."""

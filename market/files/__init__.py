"""File storage: sniffing, saving and serving uploaded files."""

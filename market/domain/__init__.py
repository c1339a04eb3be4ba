"""Pure code and data about equipment, regions and Chinese enterprise identifiers."""

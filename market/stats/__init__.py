"""The platform's numbers: reference new prices, savings estimates and SVG charts."""

"""Asset-ledger import and export: many posts at once through a spreadsheet."""

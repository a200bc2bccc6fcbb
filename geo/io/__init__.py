"""Reading and writing files: incident tables, layer files, value parsing, imports and exports."""

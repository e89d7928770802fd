"""Validation: JSON Schema, rules per file and across files, and the schema reference pages."""

"""The edit history as a table (who, what, when): ``panel``."""

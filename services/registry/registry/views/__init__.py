"""The registry's read queries: its records (`records`) and the open data package
(`open_data`)."""

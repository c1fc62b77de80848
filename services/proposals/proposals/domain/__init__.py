"""The proposals domain core: standard library and reference data only."""

"""The disbursement domain core: standard library and reference data only."""

"""The notifications domain core: standard library, reference data and email parsing only."""

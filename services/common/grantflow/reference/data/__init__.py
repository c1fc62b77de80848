"""YAML reference data of grantflow.reference; a package so that its files ship with it."""

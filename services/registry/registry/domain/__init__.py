"""The registry's rules: who may be supported, their products, clusters and collaborators.

Pure: the standard library and grantflow's reference data only.
"""

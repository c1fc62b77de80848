"""grantflow's common package: the contract, reference data and the nameko plumbing."""

"""The workspace: grantflow's figures in a browser, read through the services' public APIs."""

"""Tools that may know the services: the command line, the demo, test and bench support.

The library (`grantflow`) never imports this package; the services never import it either.
"""

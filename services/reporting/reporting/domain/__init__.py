"""The reporting domain core: the lag rules, standard library only."""

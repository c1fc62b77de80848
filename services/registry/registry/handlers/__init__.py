"""Applying events: the registry's own records (`records`) and its copy of who received
what support (`support`), from other services' events."""

"""The directory core: entities, rules and services; no HTTP, no SQL."""

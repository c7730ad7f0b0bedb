"""The repository as a copier template: the self-render check, the foreign-API service, updates."""

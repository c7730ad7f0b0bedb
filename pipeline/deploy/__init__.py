"""The deploy stage: Cloud Foundry push, canary target and rollback."""

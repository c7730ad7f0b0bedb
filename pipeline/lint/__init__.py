"""Static checks the linters themselves do not provide."""

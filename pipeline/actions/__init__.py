"""GitHub Actions: the workflow policy, job summaries, and running the jobs here under act."""

"""Dynamic analysis of a running service: schema fuzzing, load and abuse."""

"""Plain helper modules the test suites import; no tests and no fixtures live here."""

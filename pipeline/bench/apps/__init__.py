"""Reference apps the benchmark compares the service with; never deployed."""

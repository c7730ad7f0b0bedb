"""How a rendering is held to its tree, and what a service's answers change in it."""

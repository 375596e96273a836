"""Library implementations of the protocols; ``protocols/*.py`` expose them with overrides."""

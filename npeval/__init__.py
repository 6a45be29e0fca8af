"""npeval package."""

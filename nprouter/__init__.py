"""nprouter package."""

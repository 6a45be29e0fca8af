"""npsolver: score models on nppc test sets with concurrent, resumable, fully recorded runs."""

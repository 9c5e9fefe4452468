"""Position-aware parsing: every name keeps its exact range in its file."""

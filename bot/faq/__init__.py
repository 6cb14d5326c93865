"""FAQ content: the topic catalog read from data/, answer selection, and editor tooling."""

"""Developer tools: ``screenshot`` (docs/screenshot.png from the real window)."""

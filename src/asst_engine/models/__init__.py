"""Models behind runs: the turn-level ``Responder`` seam and its implementations (scripted, and
model-backed through the provider interface), chat completions, configuration, prompts."""

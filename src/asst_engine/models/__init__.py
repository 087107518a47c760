"""Models behind runs: the provider interface, chat completions, configuration, prompts."""

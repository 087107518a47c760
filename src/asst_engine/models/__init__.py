"""What decides a run's outcome: the turn-level ``Responder`` seam and its implementations."""

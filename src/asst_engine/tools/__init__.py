"""What hosted tools do: the file a search finds, the files a run produces."""

"""What hosted tools do: file search (``retrieval``), which tools run, the files a run makes."""

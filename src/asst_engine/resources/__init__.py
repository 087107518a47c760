"""The resource handlers: assistants, threads, messages, files, vector stores, batches."""

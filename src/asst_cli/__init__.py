"""asst: a scriptable client for the Assistants protocol."""

__version__ = "0.1.0"

"""The users API, implemented with FastAPI."""

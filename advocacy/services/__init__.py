"""Business logic. No Flask request objects here: callers pass what is needed."""

"""Thin HTTP layer: parse the request, call a service, commit, render."""

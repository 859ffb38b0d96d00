"""Figures computed from a period's stored inputs."""

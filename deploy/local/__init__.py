"""The production stack on one machine, without Docker: see README.md beside this file."""

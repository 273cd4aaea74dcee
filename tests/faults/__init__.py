"""Fault injection against the native stack (issue 7, item 4): each test breaks one part of
the running system under light load and states what it injected and what it measured."""

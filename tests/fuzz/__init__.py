"""Property-based (hypothesis) tests: bad input never raises an unexpected exception."""

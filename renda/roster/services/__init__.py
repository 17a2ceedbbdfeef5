"""Every write of the roster module (see README.md): batches, mapping, confirmations,
exceptions, review decisions and cross-check runs."""

"""The offline demo: a bundled news site (written by us) served from a local HTTP server."""

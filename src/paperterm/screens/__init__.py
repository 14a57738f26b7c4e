"""The reader's screens: each owns its widgets and workers; the App wires them."""

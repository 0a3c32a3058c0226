"""Channel adapters: they translate platform messages in and render replies out."""

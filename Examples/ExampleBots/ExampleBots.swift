// The example bots' handlers.

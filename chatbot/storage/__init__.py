"""Where the service keeps its state: the lock files that serialise writers on one host, and (with
``DATABASE_URL``) the shared database every host uses."""

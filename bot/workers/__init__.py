"""Running the bot as several worker processes sharing PostgreSQL and Redis."""

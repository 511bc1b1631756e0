"""Game controllers through SDL2: mapping database, polling, and button → action translation."""

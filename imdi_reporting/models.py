"""Models that compose the goals, budget and settlement apps live here."""

"""HTTP stage: the Flask blueprints, one per concern, and the JSON conventions they share."""

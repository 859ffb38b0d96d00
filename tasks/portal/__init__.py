"""Portal data at dossier level: the national sync's dossier records and the 766 index."""

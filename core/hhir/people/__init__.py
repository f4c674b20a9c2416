"""People in a film: who is on screen, who speaks, and which voice belongs to which face."""

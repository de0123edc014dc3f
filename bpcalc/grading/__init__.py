"""Grading: students' answers files (`answers`) and the diagnosis of their mistakes
(`diagnosis`), by re-solving with the engine's deliberate slips."""

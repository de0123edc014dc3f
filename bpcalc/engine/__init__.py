"""The pure core: number systems (float, hand-rounded, exact), the backpropagation engine
and its fast paths, the solved trace, numerical checks and the chain rule. No I/O; imports
only `bpcalc.problem`."""

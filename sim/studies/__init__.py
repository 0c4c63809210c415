"""Studies of several runs: compare options, sweep inputs, find least-cost plans."""

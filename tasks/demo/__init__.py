"""The demo province: real units and tasks, simulated figures."""

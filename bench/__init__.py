"""Real-terminal benchmarks: drive an app in a pseudo-terminal and measure what people see."""

// Placeholder until the plan benchmark lands (scripts/bench plan).
print("daxkit-bench")

import HealthChecks
print("x")

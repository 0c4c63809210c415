"""The model: one module per mechanism (demand, service, workforce, attrition, recruitment,
contractors, policies), wired together in `simulation`. Nothing here does I/O."""

// Intentionally empty: the target exists to export CFuzzDriver.h to Swift.

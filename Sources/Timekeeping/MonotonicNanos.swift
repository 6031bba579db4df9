import Dispatch

/// The package's one clock for durations and deadlines: nanoseconds on Dispatch's monotonic clock
/// (CLOCK_MONOTONIC on Linux, mach_absolute_time on Darwin), the clock Dispatch's own timers use. It
/// never jumps with the wall clock, so timeouts, queue delays and epoch times stay right when NTP or
/// an operator sets the date. Only differences between two readings mean anything.
@inline(__always)
public func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

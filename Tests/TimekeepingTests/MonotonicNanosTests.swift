import Testing
import Timekeeping

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct MonotonicNanosTests {
    @Test func readingsNeverGoBackwards() {
        var previous = monotonicNanos()
        for _ in 0..<10_000 {
            let now = monotonicNanos()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test func aSleepAdvancesTheClockByAtLeastItsLength() {
        // A lower bound only: a busy machine can make the sleep longer, never shorter.
        let before = monotonicNanos()
        usleep(2_000)
        #expect(monotonicNanos() - before >= 2_000_000)
    }
}

import Testing

@testable import EmotionData

/// The corpus and the folds depend on this exact stream: a change here changes every synthetic file.
@Suite struct SeededRandomTests {
    @Test func isSplitMix64() {
        // Reference outputs of SplitMix64 (Steele, Lea & Flood 2014) for seed 0.
        var random = SeededRandom(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }
}

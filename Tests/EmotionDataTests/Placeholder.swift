import Testing
@testable import EmotionData

import Testing
@testable import MPCLTraining

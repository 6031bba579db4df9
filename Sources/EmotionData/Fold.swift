/// One train/validation/test assignment of dataset windows (indices into the dataset).
public struct Fold: Equatable, Sendable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
    /// The subjects whose windows are tested in this fold (reports list them per fold).
    public var testSubjects: [String]

    public init(train: [Int], validation: [Int], test: [Int], testSubjects: [String]) {
        self.train = train
        self.validation = validation
        self.test = test
        self.testSubjects = testSubjects
    }
}

/// Why a protocol cannot split a dataset (too few subjects, no file split…).
public struct ProtocolError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

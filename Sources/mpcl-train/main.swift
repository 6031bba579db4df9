import ArgumentParser
import MPCLMath
import MPCLTraining

#if canImport(Glibc)
    import Glibc
#endif

tuneAllocator(.throughput)
useTrainingBLASThreads()

/// One line on stderr and the contract's exit code: 2 for usage, 1 for data; help and version exit 0.
func fail(_ message: String, code: Int32) -> Never {
    fputs("mpcl-train: error: \(message)\n", stderr)
    exit(code)
}

do {
    var command = try MPCLTrainCommand.parseAsRoot()
    do {
        try command.run()
    } catch let error as TrainingError {
        fail(error.message, code: error.exitCode)
    }
} catch {
    if MPCLTrainCommand.exitCode(for: error) == .success { MPCLTrainCommand.exit(withError: error) }
    if let error = error as? TrainingError { fail(error.message, code: error.exitCode) }
    let message = MPCLTrainCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    fail(message + " (see mpcl-train help)", code: 2)
}

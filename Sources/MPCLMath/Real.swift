import CBLAS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scalar types the kernels run on: `Float` in production, `Double` for gradient checks
/// (cblas has both, so every kernel is one generic implementation).
public protocol Real: BinaryFloatingPoint, SIMDScalar, Sendable {
    /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, row-major; op transposes when asked.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y[m or n] = alpha · op(A) · x + beta · y` for a row-major `A[m×n]`.
    static func gemv(
        transposeA: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    /// In place, x ← eˣ over `count` values; −∞ gives exactly 0. Float uses a vectorised
    /// polynomial (≤ 2 ulp); Double uses libm so gradient checks stay exact.
    static func exponentiate(_ x: UnsafeMutablePointer<Self>, count: Int)
    /// In place, x ← erf(x) over `count` values (Float: vectorised, absolute error ≤ 5e-7).
    static func errorFunction(_ x: UnsafeMutablePointer<Self>, count: Int)
}

extension Float: Real {
    @inlinable public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inlinable public static func gemv(
        transposeA: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
            beta, y, 1)
    }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { erff(x) }
    @inlinable public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    @inlinable public static func exponentiate(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = FastMath.exp(x[i]) }
    }
    @inlinable public static func errorFunction(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = FastMath.erf(x[i]) }
    }
}

extension Double: Real {
    @inlinable public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inlinable public static func gemv(
        transposeA: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
            beta, y, 1)
    }
    @inlinable public static func exp(_ x: Double) -> Double { LibM.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { LibM.log(x) }
    @inlinable public static func erf(_ x: Double) -> Double { LibM.erf(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func exponentiate(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = LibM.exp(x[i]) }
    }
    @inlinable public static func errorFunction(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = LibM.erf(x[i]) }
    }
}

/// Pins OpenBLAS to `count` threads. Workers that each run their own forward passes get more total
/// throughput with one BLAS thread apiece than with BLAS threads competing for the same cores.
public func setBLASThreads(_ count: Int) {
    openblas_set_num_threads(Int32(count))
}

/// The number of threads OpenBLAS uses now.
public var blasThreads: Int { Int(openblas_get_num_threads()) }

/// BLAS threads for training: `requested` (OPENBLAS_NUM_THREADS) capped at the CPUs this process
/// may use, else 1. The trainer's matrices are small enough that a second BLAS thread gains little
/// on idle cores, and OpenBLAS threads spin at every synchronisation: when another process shares
/// the cores (any CPU-limited pod on a busy node) an epoch took several times longer with two
/// threads than with one (docs/PERFORMANCE.md).
public func trainingBLASThreads(requested: Int?) -> Int {
    guard let requested, requested > 0 else { return 1 }
    return min(requested, AvailableCPUs.count)
}

/// Sets OpenBLAS to `trainingBLASThreads` of the environment's `OPENBLAS_NUM_THREADS`, so the
/// trainer and anything that must reproduce its numbers bit for bit (BLAS reductions split
/// differently with another thread count) use the same count.
public func useTrainingBLASThreads() {
    setBLASThreads(trainingBLASThreads(requested: getenv("OPENBLAS_NUM_THREADS").flatMap { Int(String(cString: $0)) }))
}

import CLibCrypto

/// SHA-256 (FIPS 180-4) from the system's libcrypto (OpenSSL 3, the EVP interface), which uses the
/// CPU's SHA extensions: the Provenance names the input by its SHA-256, and output ids derive from it.
/// Checked against the FIPS test vectors in OutputTests. Incremental, so that the daemon hashes an
/// input while reading it.
public struct SHA256: Sendable {
    /// One EVP context, owned by one hasher (never shared between threads).
    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: no memory for a digest context") }
            pointer = context
            guard EVP_DigestInit_ex(pointer, Algorithm.sha256.pointer, nil) == 1 else {
                fatalError("libcrypto: SHA-256 unavailable")
            }
        }
        /// A context in the state `other` has reached (the bytes it hashed need not be hashed again).
        init(copying other: Context) {
            guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: no memory for a digest context") }
            pointer = context
            guard EVP_MD_CTX_copy_ex(pointer, other.pointer) == 1 else { fatalError("libcrypto: digest copy failed") }
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }

    /// SHA-256 fetched from libcrypto's provider once. `EVP_sha256()` names the algorithm only, and every
    /// `EVP_DigestInit_ex` with it fetched the implementation again — a third of hashing an output id's few bytes.
    /// A fetched algorithm is immutable and may be shared by threads (OpenSSL 3, "Algorithm fetching").
    private final class Algorithm: @unchecked Sendable {
        static let sha256 = Algorithm()
        let pointer: OpaquePointer

        private init() {
            guard let fetched = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto: SHA-256 unavailable") }
            pointer = fetched
        }
    }

    private let context: Context

    public init() { context = Context() }

    private init(context: Context) { self.context = context }

    /// A new hasher that goes on from what this one has hashed so far; this one is left as it is. Output ids share a
    /// prefix of 160-odd bytes (the seed): hashed once and copied, each id hashes only its own name.
    public func copy() -> SHA256 { SHA256(context: Context(copying: context)) }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(buffer: UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update(buffer: $0) }
        }
    }

    /// The text's UTF-8 bytes, in place for a native string (no array made of them).
    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(buffer: UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        EVP_DigestUpdate(context.pointer, base, buffer.count)
    }

    /// The 32-byte digest; the hasher is spent.
    public mutating func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            finalize(into: UnsafeMutableRawBufferPointer(buffer))
            count = 32
        }
    }

    /// The 32-byte digest written into `digest` (at least 32 bytes); the hasher is spent.
    public mutating func finalize(into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= 32, "a SHA-256 digest is 32 bytes")
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context.pointer, digest.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
    }

    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hexString(digest(bytes))
    }

    public static func hexString(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (index, byte) in bytes.enumerated() { writeHex(byte, into: text, at: 2 * index) }
            return bytes.count * 2
        }
    }

    /// A byte's two lowercase hex digits written at `position` (the digest's hex and the output ids share it).
    @inline(__always)
    static func writeHex(_ byte: UInt8, into text: UnsafeMutableBufferPointer<UInt8>, at position: Int) {
        let digits: StaticString = "0123456789abcdef"
        text[position] = digits.utf8Start[Int(byte >> 4)]
        text[position + 1] = digits.utf8Start[Int(byte & 0x0f)]
    }
}

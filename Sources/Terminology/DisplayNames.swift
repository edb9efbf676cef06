/// A value set's member displays, to find whether a text names one of them ("warfarin sodium 5 mg oral tablet"
/// in a medicine's label). The displays are keyed by their first two bytes, with a bit per such pair: a search
/// walks the text once, and only at a position whose two bytes start some display compares those displays —
/// a set of 150 displays costs one bit test per byte of the text, where a search per display (or per first word)
/// scanned the text again each time. Byte for byte, as `includes` compares.
public struct DisplayNames: Sendable {
    /// The displays' UTF-8 bytes by their first two bytes (little-endian in a UInt16).
    private let byLeadingPair: [UInt16: [[UInt8]]]
    /// A bit per leading pair of some display (1,024 words: every UInt16).
    private let leadingPairs: [UInt64]
    /// Displays shorter than two bytes (an empty one is in every text).
    private let short: [[UInt8]]

    /// `displays` lowercased, as `ValueSetIndex` keeps them.
    init(_ displays: [String]) {
        var byLeadingPair: [UInt16: [[UInt8]]] = [:]
        var leadingPairs = [UInt64](repeating: 0, count: 1024)
        var short: [[UInt8]] = []
        for display in displays {
            let bytes = Array(display.utf8)
            guard bytes.count >= 2 else {
                short.append(bytes)
                continue
            }
            let pair = Self.pair(bytes[0], bytes[1])
            byLeadingPair[pair, default: []].append(bytes)
            leadingPairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
        }
        self.byLeadingPair = byLeadingPair
        self.leadingPairs = leadingPairs
        self.short = short
    }

    private static func pair(_ first: UInt8, _ second: UInt8) -> UInt16 { UInt16(first) | UInt16(second) << 8 }

    /// Whether the text holds one of the displays (`lowercasedText` lowercased, as the displays are).
    public func anyNamed(in lowercasedText: String) -> Bool {
        var text = lowercasedText
        return text.withUTF8(anyNamed(inBytes:))
    }

    private func anyNamed(inBytes text: UnsafeBufferPointer<UInt8>) -> Bool {
        for display in short where display.isEmpty || text.contains(display[0]) { return true }
        guard text.count >= 2 else { return false }
        for start in 0..<(text.count - 1) {
            let pair = Self.pair(text[start], text[start + 1])
            guard leadingPairs[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0, let displays = byLeadingPair[pair]
            else { continue }
            for display in displays where start + display.count <= text.count {
                if display.withUnsafeBufferPointer({ $0.elementsEqual(text[start..<start + $0.count]) }) { return true }
            }
        }
        return false
    }
}

/// The literal reference `Type/id`, made in one allocation from the two strings' bytes. String interpolation
/// appended three times, growing the string on the way: the case stage names the source of every fact this way, a
/// few hundred times a bundle (this made the stage 1 % cheaper in instructions on the typical bundles).
public func literalReference(type: String, id: String) -> String {
    type.withUTF8Bytes { type in
        id.withUTF8Bytes { id in
            let count = type.count + 1 + id.count
            return String(unsafeUninitializedCapacity: count) { buffer in
                var end = UnsafeMutableBufferPointer(rebasing: buffer[...]).initialize(fromContentsOf: type)
                buffer[end] = UInt8(ascii: "/")
                end += 1
                end += UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(fromContentsOf: id)
                return end
            }
        }
    }
}

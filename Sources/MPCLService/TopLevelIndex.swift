import JSON

/// The first pass over a request body: checks the grammar of the whole document (duplicate names
/// and nesting included) without building a tree, and notes where the values of the top-level
/// members the decoder cares about start, and how many elements those that are arrays have.
///
/// Only `interesting` members are kept (plus the first name outside each set a caller may ask
/// about), so a hostile object with a million members costs no more memory than the duplicate
/// check needs.
struct TopLevelIndex {
    struct Member {
        let kind: JSONKind
        /// Where the value starts in the body.
        let offset: Int
        /// The number of elements, for an array.
        let elementCount: Int
        /// The member's position among the object's members.
        let position: Int
    }

    /// The kind of the document's value.
    let kind: JSONKind
    private var members: [String: Member] = [:]
    /// The first member names (with their positions) not in a few sets: in `interesting` and,
    /// for each interesting name, in `interesting` minus that name.
    private var firstOutside: (name: String, position: Int)?
    private let interesting: Set<String>

    init(_ bytes: UnsafeBufferPointer<UInt8>, interesting: Set<String>) throws(ServiceError) {
        self.interesting = interesting
        var reader = JSONReader(bytes: bytes)
        do {
            kind = try reader.peekKind()
            guard kind == .object else {
                try reader.skipValue()
                try reader.finish()
                return
            }
            try reader.beginObject()
            var names = JSONMemberNames()
            var position = 0
            while let name = try reader.nextMember(first: position == 0, names: &names) {
                defer { position += 1 }
                guard interesting.contains(name) else {
                    if firstOutside == nil { firstOutside = (name, position) }
                    try reader.skipValue()
                    continue
                }
                let valueKind = try reader.peekKind()
                let offset = reader.offset
                var count = 0
                if valueKind == .array {
                    try reader.beginArray()
                    while try reader.nextElement(first: count == 0) {
                        count += 1
                        try reader.skipValue()
                    }
                } else {
                    try reader.skipValue()
                }
                members[name] = Member(kind: valueKind, offset: offset, elementCount: count, position: position)
            }
            try reader.finish()
        } catch {
            throw .malformedJSON(error.description)
        }
    }

    /// The top-level member `name`, if the body has it and it is interesting.
    subscript(name: String) -> Member? { members[name] }

    /// The first member (in document order) whose name is not in `allowed`, a subset of `interesting`.
    func firstName(notIn allowed: Set<String>) -> String? {
        var first = firstOutside
        for (name, member) in members where !allowed.contains(name) {
            if first == nil || member.position < first!.position { first = (name, member.position) }
        }
        return first?.name
    }
}
